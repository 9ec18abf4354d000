import { execFileSync } from 'node:child_process';
import type { APIRequestContext } from '@playwright/test';
import { DiffOptions } from '@/lib/views/snapshot-versions';
import { testIds } from '@/components/test-ids';
import { axeViolations, expect, test } from './fixtures';
import { labFacts } from './lab';
import { DiffPage } from './pages/diff-page';
import { FleetPage } from './pages/fleet-page';

// Two real snapshots of a lab node: the dashboard collects node-2, the test adds one rule inside
// node-2's namespace (the empty CNI-ADMIN chain of its filter table, a source from TEST-NET-2 that
// no lab traffic uses), has the dashboard collect again, and takes the rule out at once.
test.describe.configure({ timeout: 180_000 });

const lab = labFacts();
const node = 'node-2';
const netns = 'pl-lab-node-2';
const comment = `packetlens e2e diff ${process.pid}`;
const spec = ['CNI-ADMIN', '-s', '198.51.100.7/32', '-m', 'comment', '--comment', comment, '-j', 'DROP'];
// As iptables-save writes the rule back.
const ruleText = `-A CNI-ADMIN -s 198.51.100.7/32 -m comment --comment "${comment}" -j DROP`;

function iptables(...args: string[]): void {
  execFileSync('ip', ['netns', 'exec', netns, 'iptables-nft', '-w', ...args], { stdio: 'pipe' });
}

function ruleRemove(): void {
  try {
    iptables('-C', ...spec);
  } catch {
    return; // not there
  }
  iptables('-D', ...spec);
}

test.afterAll(ruleRemove);

async function versions(request: APIRequestContext, host: string): Promise<number[]> {
  const options = DiffOptions.parse(await (await request.get('/api/diff/options')).json());
  return options.hosts.find((h) => h.name === host)?.versions.map((v) => v.snapshotId) ?? [];
}

test('a rule added on a lab node between two collections shows as exactly that rule', async ({
  page,
  request,
  visit,
  consoleErrors,
}) => {
  const fleet = new FleetPage(page);
  await fleet.collected(lab.nodes.map((n) => n.name));
  const before = (await versions(request, node))[0]!;
  let after: number;
  try {
    iptables('-A', ...spec);
    await fleet.collectButton.click();
    await expect
      .poll(async () => (await versions(request, node))[0], { timeout: 90_000, intervals: [1000] })
      .not.toBe(before);
    after = (await versions(request, node))[0]!;
  } finally {
    ruleRemove();
  }

  // The host page links to the comparison with the snapshot before.
  await page.goto(`/hosts/${node}`);
  await page.getByTestId(testIds.compareLink).click();
  await expect(page).toHaveURL(`/diff?a=${node}%40${before}&b=${node}%40${after}`);

  const diff = new DiffPage(await visit(page.url(), 'diff'));
  await expect(diff.totals).toContainText('Rules: +1 −0, 0 moved');
  await expect(diff.table('ipt:ip/filter')).toContainText('+1');
  await expect(diff.chains()).toHaveCount(1);
  const rows = await diff.openChain('CNI-ADMIN');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-sign', '+');
  await expect(rows.first()).toContainText('B #1 line');
  await expect(rows.first().getByTestId(testIds.ruleText)).toHaveText(ruleText);
  await page.screenshot({ path: 'test-results/screenshots/diff-rule-added.png', fullPage: true });
  expect(await axeViolations(page)).toEqual([]);

  // The other way round, the same rule is removed.
  await visit(`/diff?a=${node}%40${after}&b=${node}%40${before}`, 'diff-reverse');
  const removed = await diff.openChain('CNI-ADMIN');
  await expect(removed).toHaveCount(1);
  await expect(removed.first()).toHaveAttribute('data-sign', '-');
  await expect(removed.first().getByTestId(testIds.ruleText)).toHaveText(ruleText);

  await page.emulateMedia({ colorScheme: 'dark' });
  await visit(`/diff?a=${node}%40${before}&b=${node}%40${after}`, 'diff-dark');
  await diff.openChain('CNI-ADMIN');
  await page.screenshot({ path: 'test-results/screenshots/diff-dark-rule-added.png', fullPage: true });
  expect(await axeViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('a snapshot against itself says identical', async ({ page, request, visit, consoleErrors }) => {
  await new FleetPage(page).collected(lab.nodes.map((n) => n.name));
  const latest = (await versions(request, 'node-1'))[0]!;
  const diff = new DiffPage(await visit(`/diff?a=node-1%40${latest}&b=node-1`, 'diff-identical'));
  await expect(diff.identical).toContainText('Identical');
  expect(consoleErrors).toEqual([]);
});

test('two hosts with nothing in common: an iptables-mode node against the nftables-mode one', async ({
  page,
  visit,
  consoleErrors,
}) => {
  await new FleetPage(page).collected(lab.nodes.map((n) => n.name));
  const diff = new DiffPage(await visit('/diff?a=node-1&b=node-3', 'diff-two-hosts'));
  await expect(diff.table('nft:ip/kube-proxy')).toBeVisible();
  await page.locator('#diff-chains-table').selectOption('nft:ip/kube-proxy');
  await expect(diff.chain('services')).toContainText('added');
  // Services: node-3 serves the same two services as node-1, in the other mode.
  await expect(page.getByTestId(testIds.diffService).first()).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  // Services, sets and routes in red and green stay readable in the dark scheme.
  await page.emulateMedia({ colorScheme: 'dark' });
  await visit('/diff?a=node-1&b=node-3', 'diff-two-hosts-dark');
  await expect(page.getByTestId(testIds.diffService).first()).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('picking one host compares its latest snapshot with the one before', async ({ page }) => {
  await new FleetPage(page).collected(lab.nodes.map((n) => n.name));
  await page.goto('/');
  await page.getByTestId(testIds.appNav).getByRole('link', { name: 'Diff' }).click();
  await expect(page).toHaveURL('/diff');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Diff');
  await page.locator('#diff-b-host').selectOption('node-1');
  await page.locator('#diff-a-host').selectOption('node-3');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page).toHaveURL(/\/diff\?a=node-3%40\d+&b=node-1%40\d+$/);
  await expect(new DiffPage(page).totals).toBeVisible();
});

test('a side that does not exist says what is wrong', async ({ visit }) => {
  const page = await visit('/diff?a=no-such-host&b=node-1', 'diff-error');
  await expect(new DiffPage(page).error).toContainText('a: no host named no-such-host in the store');
});

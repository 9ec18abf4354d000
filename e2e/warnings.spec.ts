import { testIds } from '@/components/test-ids';
import { axeViolations, downloadBytes, expect, test } from './fixtures';
import { labFacts } from './lab';
import { FleetPage } from './pages/fleet-page';
import { HostPage } from './pages/host-page';
import { WarningsPage } from './pages/warnings-page';

// Lab pages wait for the dashboard's collection over SSH, which a loaded machine slows down.
test.describe.configure({ timeout: 90_000 });

const lab = labFacts();
const nodes = lab.nodes.map((n) => n.name);
// The lab gives one node rules in both iptables backends (iptables-nft and iptables-legacy): the
// both-backends warning, 2 backends against a threshold of 1.
const both = lab.nodes.find(
  (n) => n.iptablesBackends.includes('legacy') && n.iptablesBackends.includes('nft'),
)!;
const single = lab.nodes.find((n) => n.iptablesBackends.length === 1)!;

test.beforeEach(async ({ page }) => {
  await new FleetPage(page).collected(nodes);
});

test('the fleet badges each host with its warnings by severity, linking to them', async ({
  page,
  visit,
  consoleErrors,
}) => {
  const fleet = new FleetPage(page);
  const badges = (host: string) => fleet.host(host).getByTestId(testIds.fleetWarningsSlot);
  // The server analyses in the background; until then a host says so, never a made-up count.
  for (const n of nodes)
    await expect(badges(n)).toHaveAttribute('data-state', 'analysed', { timeout: 30_000 });
  await expect(badges(both.name).locator('[data-severity="warning"]')).toHaveText(/^\d+ warning$/);
  await expect(badges(both.name)).toHaveAccessibleName(
    new RegExp(`^Warnings of ${both.name}: .*\\d+ warning`),
  );
  await expect(
    fleet.examples.getByRole('link', { name: /^Warnings of example:node-2: .*1 warning/ }),
  ).toBeVisible();
  await visit('/', 'fleet-warning-badges');
  await badges(both.name).click();
  await expect(page).toHaveURL(`/warnings?host=${both.name}`);
  await expect(new WarningsPage(page).warning('both-backends')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('a host’s warnings show the number, the threshold and its source; growth is charted with the threshold line', async ({
  page,
  visit,
  consoleErrors,
}) => {
  const view = new WarningsPage(await visit(`/warnings?host=${both.name}`, `warnings-${both.name}`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Warnings & growth');
  await expect(view.view).toHaveAttribute('data-host', both.name);
  const row = view.warning('both-backends');
  await expect(row).toHaveAttribute('data-severity', 'warning');
  await expect(view.measured(row)).toHaveText('2 backends');
  await expect(view.threshold(row)).toHaveText('above 1 backends');
  await expect(row).toContainText('rules in 2 iptables backends (legacy and nft)');
  await expect(row.getByRole('link', { name: /iptables-nft-save/ })).toHaveAttribute(
    'href',
    'https://git.netfilter.org/iptables/tree/iptables/xtables-save.c',
  );
  // Where a warning names rules, they are listed with chain, line and exact text, linked to the chain.
  const jumps = view.warning('empty-chain-jumps');
  await jumps.getByText(/rules? involved/).click();
  const ruleRow = jumps.getByTestId(testIds.warningRules).getByRole('row').nth(1);
  await expect(ruleRow).toContainText(/line \d+/);
  await expect(ruleRow.locator('code')).toHaveText(/^-A \S+ .*-j \S+$/);
  // A node with a single backend has no such warning.
  await expect(
    page.getByText(/Restore times from a measurement of|Restore times from packetlens/),
  ).toBeVisible();

  // Growth: rules over the collections, the host-rules threshold (150,000) drawn and labelled.
  const rules = view.chart('rules');
  await expect(rules.getByRole('heading', { name: 'Rules', exact: true })).toBeVisible();
  await expect(rules.locator('.growth-chart__level--warning text')).toHaveText('warning 150,000');
  await expect(rules.locator('.growth-chart__line')).toHaveAttribute('d', /^M/);
  // The lab has a few minutes of history: too little to project from, and the page says so.
  await expect(rules).toContainText('No projection:');
  await expect(view.chart('services')).toBeVisible();
  await expect(view.chart('longest-chain')).toBeVisible();

  const download = page.waitForEvent('download');
  await rules.getByRole('button', { name: 'Download SVG' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`${both.name}-rules.svg`);
  const svg = (await downloadBytes(file)).toString('utf8');
  expect(svg).toMatch(/^<svg/);
  expect(svg).toContain('warning 150,000');

  expect(await axeViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  await visit(`/warnings?host=${both.name}`, `warnings-${both.name}-dark`);
  expect(await axeViolations(page)).toEqual([]);
});

test('a node with one backend has no both-backends warning', async ({ page }) => {
  const view = new WarningsPage(page);
  await page.goto(`/warnings?host=${single.name}`);
  await expect(view.view).toHaveAttribute('data-host', single.name);
  await expect(view.warning('both-backends')).toHaveCount(0);
});

test('the cluster lists its hosts with their badges, every host’s warnings, and its growth', async ({
  page,
  visit,
  consoleErrors,
}) => {
  await visit('/warnings', 'warnings-index');
  expect(await axeViolations(page)).toEqual([]);
  await page.getByRole('link', { name: 'Cluster lab', exact: true }).click();
  await expect(page).toHaveURL('/warnings?cluster=lab');
  const view = new WarningsPage(page);
  for (const n of nodes)
    await expect(view.view.getByRole('row', { name: new RegExp(`^${n} `) })).toBeVisible();
  await expect(view.warning('both-backends', both.name)).toBeVisible({ timeout: 30_000 });
  await expect(view.measured(view.warning('both-backends', both.name))).toHaveText('2 backends');
  await expect(view.chart('rules').getByRole('heading')).toHaveText('Rules (largest host)');
  await expect(view.view).toContainText(
    `The largest value among the ${nodes.length} hosts at each collection run`,
  );
  await visit('/warnings?cluster=lab', 'warnings-cluster-lab');
  expect(await axeViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('the host overview lists the host’s warnings and links to the full view', async ({
  page,
  visit,
  consoleErrors,
}) => {
  const host = new HostPage(page);
  const section = page.getByTestId(testIds.hostWarnings);
  // From the server's analysis cache: until the background analysis is in, the page says so.
  await expect(async () => {
    await page.goto(`/hosts/${both.name}`);
    await expect(section.locator('[data-state="pending"]')).toHaveCount(0, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(host.heading).toHaveText(both.name);
  await expect(section.locator('[data-warning="both-backends"]')).toContainText('2 backends (above 1)');
  await visit(`/hosts/${both.name}`, `host-${both.name}-warnings`);
  await section.getByRole('link', { name: `All warnings of ${both.name}` }).click();
  await expect(page).toHaveURL(`/warnings?host=${both.name}`);
  // The URL changes before the page is in (the loading state has no heading yet).
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Warnings & growth');
  expect(await axeViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('an unknown host says so and where to go', async ({ page }) => {
  await page.goto('/warnings?host=node-9');
  await expect(page.getByTestId(testIds.notFound)).toContainText('no host named node-9 in the store');
});

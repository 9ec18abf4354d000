import { readFileSync } from 'node:fs';
import path from 'node:path';
import { axeViolations, expect, test } from './fixtures';
import { labDir, labFacts } from './lab';
import { FleetPage } from './pages/fleet-page';

// Lab pages wait for the dashboard's collection over SSH, which a loaded machine slows down.
test.describe.configure({ timeout: 90_000 });

const lab = labFacts();
const nodes = lab.nodes.map((n) => n.name);

test('the fleet lists every lab node with its pods, collected over SSH', async ({
  page,
  visit,
  consoleErrors,
}) => {
  const fleet = new FleetPage(page);
  await fleet.collected(nodes);
  await visit('/', 'fleet');

  await expect(fleet.heading).toHaveText('Fleet');
  await expect(fleet.nav.getByRole('link', { name: 'Fleet' })).toHaveAttribute('aria-current', 'page');
  for (const node of lab.nodes) {
    const row = fleet.host(node.name);
    await expect(row).toContainText(node.address);
    await expect(row).toContainText('fresh');
    await expect(row.getByRole('img', { name: /one collection|rules over/ })).toBeVisible();
  }
  // Warning badges: warnings.spec.ts.
  // Every pod and container the lab made, listed under the node it runs on with its address (the
  // name the collector gives it depends on the runtime's records, so the address identifies it).
  for (const node of lab.nodes) {
    const pods = [...lab.pods, ...lab.containers].filter((p) => p.node === node.name);
    for (const pod of pods)
      await expect(fleet.pods(node.name).filter({ hasText: `${pod.ip}/` })).toHaveCount(1);
  }
  // Examples stay apart from collected hosts.
  await expect(fleet.examples.getByRole('link', { name: 'example:node-1', exact: true })).toBeVisible();
  await expect(fleet.hosts.getByText('example:', { exact: false })).toHaveCount(0);

  expect(await axeViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('filters hosts by label', async ({ page }) => {
  const fleet = new FleetPage(page);
  await fleet.collected(nodes);
  await fleet.labelFilter.getByLabel('role=worker').check();
  await expect(page).toHaveURL(/label=role%3Dworker/);
  await expect(fleet.host('node-1')).toHaveCount(0);
  await expect(fleet.host('node-2')).toBeVisible();
  await expect(fleet.host('node-3')).toBeVisible();
  await fleet.labelFilter.getByLabel('role=worker').uncheck();
  await expect(fleet.host('node-1')).toBeVisible();
});

test('collect now runs a collection of the inventory with live progress', async ({ page, consoleErrors }) => {
  const fleet = new FleetPage(page);
  await fleet.collected(nodes);
  await expect(fleet.progress).toHaveAttribute('role', 'status');
  const before = (await fleet.progress.textContent()) ?? '';
  const lastRun = Number(/#(\d+)/.exec(before)?.[1] ?? 0);
  await fleet.collectButton.click();
  await expect(fleet.progress).toHaveText(new RegExp(`Collecting: \\d/${nodes.length} hosts`));
  await expect(fleet.progress).toHaveText(
    new RegExp(`Last run \\(#(\\d+)\\): ${nodes.length} hosts collected, 0 failed`),
    {
      timeout: 60_000,
    },
  );
  const after = Number(/#(\d+)/.exec((await fleet.progress.textContent()) ?? '')?.[1]);
  expect(after).toBeGreaterThan(lastRun);
  expect(consoleErrors).toEqual([]);
});

test('nothing secret of the inventory reaches the browser', async ({ request }) => {
  const secrets = [
    path.join(labDir, 'id_ed25519'),
    path.join(labDir, 'known_hosts'),
    readFileSync(path.join(labDir, 'id_ed25519'), 'utf8').split('\n')[1]!,
  ];
  for (const url of ['/', '/api/fleet', '/api/collect', '/hosts/node-1', '/hosts/node-3/chains']) {
    const body = await (await request.get(url)).text();
    for (const secret of secrets) expect(body, `${url} holds ${secret.slice(0, 20)}…`).not.toContain(secret);
  }
});

test('the fleet is readable in the dark scheme', async ({ page, visit }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await new FleetPage(page).collected(nodes);
  await visit('/', 'fleet-dark');
  expect(await axeViolations(page)).toEqual([]);
});

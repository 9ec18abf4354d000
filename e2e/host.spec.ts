import { axeViolations, downloadBytes, expect, test } from './fixtures';
import { labFacts } from './lab';
import { FleetPage } from './pages/fleet-page';
import { HostPage } from './pages/host-page';

// Lab pages wait for the dashboard's collection over SSH, which a loaded machine slows down.
test.describe.configure({ timeout: 90_000 });

const lab = labFacts();

test.beforeEach(async ({ page }) => {
  await new FleetPage(page).collected(lab.nodes.map((n) => n.name));
});

test('host overview of an iptables node draws the pipeline with its tables at each hook', async ({
  page,
  visit,
  consoleErrors,
}) => {
  const host = new HostPage(await visit('/hosts/node-1', 'host-node-1'));
  await expect(host.heading).toHaveText('node-1');
  await expect(host.hostNav.getByRole('link', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');
  const entries = await host.entries();
  // node-1 runs kube-proxy in iptables mode through iptables-nft: nat at dstnat and srcnat, filter at 0.
  expect(entries).toContain('iptables nat chain PREROUTING, priority dstnat, 2 rules, policy ACCEPT');
  expect(
    entries.some((e) => /^iptables filter chain FORWARD, priority filter, \d+ rules, policy ACCEPT$/.test(e)),
  ).toBe(true);
  expect(entries.some((e) => /^iptables nat chain POSTROUTING, priority srcnat, \d+ rules/.test(e))).toBe(
    true,
  );
  await expect(host.interfaces).toContainText('eth0');
  await expect(host.routes).toContainText('10.244.2.0/24 via');
  await expect(host.policyRules).toContainText('from all lookup main');
  // An entry opens its chain.
  await host.pipeline.getByRole('link', { name: /^iptables nat chain PREROUTING/ }).click();
  await expect(page).toHaveURL(/\/hosts\/node-1\/chains\?table=ipt%3Aip%2Fnat&chain=PREROUTING/);
  expect(consoleErrors).toEqual([]);
});

test('host overview of the nftables-mode node puts native nft chains among the tables by priority', async ({
  page,
  visit,
}) => {
  const host = new HostPage(await visit('/hosts/node-3', 'host-node-3'));
  const entries = await host.entries();
  const nft = entries.filter((e) => e.startsWith('nft ip kube-proxy'));
  // kube-proxy's nftables mode registers these base chains (its own priorities, dstnat - 10 etc.).
  expect(nft.map((e) => e.replace(/, \d+ rules.*/, ''))).toEqual(
    expect.arrayContaining([
      'nft ip kube-proxy chain nat-prerouting, priority dstnat',
      'nft ip kube-proxy chain filter-prerouting-pre-dnat, priority dstnat - 10',
      'nft ip kube-proxy chain nat-postrouting, priority srcnat',
    ]),
  );
  // Within a hook the drawing order is the kernel's: filter-prerouting-pre-dnat (-110) before nat-prerouting (-100).
  const order = entries.filter((e) => / chain (filter-prerouting-pre-dnat|nat-prerouting),/.test(e));
  expect(order[0]).toContain('filter-prerouting-pre-dnat');
  expect(await axeViolations(page)).toEqual([]);
});

test('pods of a host have their own overview', async ({ page, visit }) => {
  const pod = lab.pods.find((p) => p.node === 'node-2')!;
  // The pod as the fleet lists it under its node, found by its address.
  const link = new FleetPage(page)
    .pods('node-2')
    .filter({ hasText: `${pod.ip}/` })
    .getByRole('link');
  const name = (await link.textContent()) ?? '';
  await link.click();
  await expect(page).toHaveURL(/\/hosts\/node-2\?pod=/);
  const host = new HostPage(await visit(page.url(), 'host-pod'));
  await expect(host.heading).toHaveText(`${name}pod`);
  await expect(host.interfaces).toContainText(pod.ip);
  await expect(page.getByText('No netfilter rules were collected for this namespace.')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
});

test('the pipeline diagram exports as SVG and PNG', async ({ page }) => {
  await page.goto('/hosts/node-1');
  const svgDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download SVG' }).click();
  const svg = await svgDownload;
  expect(svg.suggestedFilename()).toBe('node-1-pipeline-ip.svg');
  const svgText = (await downloadBytes(svg)).toString('utf8');
  expect(svgText).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svgText).toContain('PREROUTING');

  const pngDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download PNG' }).click();
  const png = await pngDownload;
  expect(png.suggestedFilename()).toBe('node-1-pipeline-ip.png');
  const bytes = await downloadBytes(png);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
});

test('an unknown host says what is missing and where to go', async ({ page, visit }) => {
  await visit('/hosts/no-such-host', 'host-missing');
  await expect(page.getByText('no host named no-such-host in the store')).toBeVisible();
  await expect(page.getByTestId('not-found').getByRole('link', { name: 'fleet', exact: true })).toBeVisible();
});

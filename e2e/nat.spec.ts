import { testIds } from '@/components/test-ids';
import { axeViolations, downloadBytes, expect, test } from './fixtures';
import { labFacts } from './lab';
import { FleetPage } from './pages/fleet-page';
import { NatPage } from './pages/nat-page';

// The NAT view of the lab as the dashboard collects it over SSH; expectations come from lab.json.
test.describe.configure({ timeout: 90_000 });

const lab = labFacts();
const web = lab.services.find((s) => s.name === 'default/web:http')!;
const node1 = lab.nodes.find((n) => n.name === 'node-1')!;

test.beforeEach(async ({ page }) => {
  await new FleetPage(page).collected(lab.nodes.map((n) => n.name));
});

test('node-1: default/web:http reaches its three endpoints at 33.3% each, by VIP and NodePort', async ({
  page,
  visit,
  consoleErrors,
}) => {
  const nat = new NatPage(await visit('/nat?host=node-1', 'nat-node-1'));
  await expect(nat.summary).toContainText('node-1:');
  for (const label of [`${web.clusterIp}:${web.port}/tcp`, `local:${web.nodePort}/tcp`]) {
    const flow = nat.flow(label);
    await expect(flow).toContainText(web.name);
    await expect(flow.getByTestId(testIds.natEndpoint)).toHaveCount(web.endpoints.length);
    for (const e of web.endpoints) {
      const row = nat.endpoint(flow, `${e.ip}:${e.port}`);
      await expect(row).toContainText('33.3%');
      await expect(row).toContainText('1/3');
      await expect(row).toContainText(`${e.pod} on ${e.node}`);
    }
  }
  // The diagram labels each band with its share and draws nothing as uncertain here.
  await expect(nat.diagram.getByText('33.3% (1/3)').first()).toBeVisible();
  await expect(page.locator('.nat-diagram__band--conditional')).toHaveCount(0);
  expect(await axeViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('NAT is in the navigation and opens on the first collected host', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId(testIds.appNav).getByRole('link', { name: 'NAT' }).click();
  await expect(page).toHaveURL('/nat');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('NAT flows');
  await expect(page.getByLabel('Host')).toHaveValue(lab.nodes[0]!.name);
});

test('host ports: the CNI portmap one on node-1, the Docker one on node-2', async ({ page, visit }) => {
  const nat = new NatPage(page);
  for (const pod of lab.pods.filter((p) => p.node === 'node-1' && p.hostPorts.length)) {
    await page.goto('/nat?host=node-1');
    const hp = pod.hostPorts[0]!;
    const flow = nat.flow(`local:${hp.hostPort}/${hp.protocol}`);
    await expect(flow).toContainText('CNI host port');
    await expect(nat.endpoint(flow, `${pod.ip}:${hp.containerPort}`)).toContainText('100%');
    await expect(nat.endpoint(flow, `${pod.ip}:${hp.containerPort}`)).toContainText(`${pod.name} on node-1`);
  }
  const ctr = lab.containers.find((c) => c.publishedPorts.length)!;
  const published = ctr.publishedPorts[0]!;
  await visit(`/nat?host=${ctr.node}`, `nat-${ctr.node}`);
  const flow = nat.flow(`local:${published.hostPort}/${published.protocol}`);
  await expect(flow).toContainText('Docker (DOCKER)');
  await expect(nat.endpoint(flow, `${ctr.ip}:${published.containerPort}`)).toContainText('100%');
});

test('masquerade egress: which sources leave by which interface as which address', async ({ page }) => {
  const nat = new NatPage(page);
  await page.goto('/nat?host=node-1');
  await expect(nat.egress).toContainText('MASQUERADE (random-fully)');
  // A pod of node-1 masquerades towards other nodes only: out by eth0 as the node's LAN address.
  const pod = lab.pods.find((p) => p.node === 'node-1')!;
  const row = nat.egress.getByRole('row').filter({ hasText: `from ${pod.ip}/32` });
  await expect(row).toContainText('eth0');
  await expect(row).toContainText(node1.address);
  await expect(row).toContainText(/KUBE-POSTROUTING|CNI-/);
});

test('search by service name narrows the flows, and the link reproduces it', async ({ page, visit }) => {
  const nat = new NatPage(page);
  await page.goto('/nat?host=node-1');
  const all = await nat.flows.count();
  await nat.searchFor(web.name);
  await expect(nat.flows).toHaveCount(2);
  expect(all).toBeGreaterThan(2);
  await expect(page).toHaveURL(/q=default%2Fweb%3Ahttp/);
  await visit(page.url(), 'nat-search');
  await expect(nat.flows).toHaveCount(2);
  await expect(nat.search).toHaveValue(web.name);
});

test('a flow links to its rule in the chains view and to Life of a packet', async ({ page }) => {
  const nat = new NatPage(page);
  await page.goto('/nat?host=node-1');
  const flow = nat.flow(`${web.clusterIp}:${web.port}/tcp`);
  const trace = flow.getByRole('link', { name: /Life of a packet/ });
  // From a pod of node-1, the way most service traffic comes.
  const pods = lab.pods.filter((p) => p.node === 'node-1').map((p) => p.namespace);
  const href = (await trace.getAttribute('href')) ?? '';
  expect(href).toMatch(
    new RegExp(
      `^/trace\\?from=(${pods.join('|')})&entry=pod&dst=${web.clusterIp}&dport=${web.port}&proto=tcp$`,
    ),
  );
  await flow.getByRole('link', { name: /KUBE-SERVICES #\d+ \(line \d+\)/ }).click();
  await expect(page.getByTestId(testIds.chainHeading)).toHaveText('Chain KUBE-SERVICES');
  await page.goBack();
  await flow.getByRole('link', { name: /Life of a packet/ }).click();
  await expect(page.getByTestId(testIds.tracePath)).toHaveCount(web.endpoints.length, { timeout: 30_000 });
  await expect(page.getByTestId(testIds.traceResult)).toContainText('33.3%');
});

test('the NAT diagram exports as SVG, and reads in the dark scheme', async ({ page, visit }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await visit('/nat?host=node-1', 'nat-dark');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download SVG' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('node-1-nat-page-1.svg');
  const text = (await downloadBytes(file)).toString('utf8');
  expect(text).toContain('33.3% (1/3)');
  expect(await axeViolations(page)).toEqual([]);
});

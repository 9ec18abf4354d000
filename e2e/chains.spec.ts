import { axeViolations, downloadBytes, expect, test } from './fixtures';
import { labFacts } from './lab';
import { FleetPage } from './pages/fleet-page';
import { ChainsPage } from './pages/host-page';

// Lab pages wait for the dashboard's collection over SSH, which a loaded machine slows down.
test.describe.configure({ timeout: 90_000 });

const lab = labFacts();
const web = lab.services.find((s) => s.name === 'default/web:http')!;

test.beforeEach(async ({ page }) => {
  await new FleetPage(page).collected(lab.nodes.map((n) => n.name));
});

test('chains view: graph, rules with counters and exact text, following targets', async ({
  page,
  visit,
  consoleErrors,
}) => {
  const chains = new ChainsPage(await visit('/hosts/node-1/chains', 'chains-node-1'));
  // The nat table holds most rules on a kube-proxy node: the view opens there, on PREROUTING.
  await expect(chains.chainHeading).toHaveText('Chain PREROUTING');
  expect(await chains.ruleTexts()).toEqual([
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
  ]);
  await expect(chains.graphNode('KUBE-SERVICES')).toBeVisible();

  await chains.rules.getByRole('button', { name: '→ KUBE-SERVICES' }).click();
  await expect(chains.chainHeading).toHaveText('Chain KUBE-SERVICES');
  await expect(page).toHaveURL(/chain=KUBE-SERVICES/);
  const texts = await chains.ruleTexts();
  expect(texts.some((t) => t.includes(`-d ${web.clusterIp}/32`) && t.includes(`--dport ${web.port}`))).toBe(
    true,
  );
  // The service's chain, then one of its endpoints, each one click away.
  const svcRow = chains.rules.getByRole('row').filter({ hasText: `-d ${web.clusterIp}/32` });
  await svcRow.getByRole('button', { name: /→ KUBE-SVC-/ }).click();
  await expect(chains.chainHeading).toHaveText(/Chain KUBE-SVC-/);
  await expect(chains.rules).toContainText('--mode random --probability 0.3333');
  await page.goBack();
  await expect(chains.chainHeading).toHaveText('Chain KUBE-SERVICES');
  expect(consoleErrors).toEqual([]);
});

test('graph nodes are reachable and usable from the keyboard', async ({ page }) => {
  const chains = new ChainsPage(page);
  await page.goto('/hosts/node-1/chains');
  const node = chains.graphNode('KUBE-POSTROUTING');
  await node.focus();
  await expect(node).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(chains.chainHeading).toHaveText('Chain KUBE-POSTROUTING');
  await expect(node).toHaveAttribute('aria-pressed', 'true');
});

test('rule search by address, port and comment, server side, across tables', async ({ page, visit }) => {
  const chains = new ChainsPage(page);
  await page.goto('/hosts/node-1/chains');
  await chains.searchFor(web.clusterIp);
  await expect(chains.results.getByRole('heading', { level: 2 })).toHaveText(/^\d+ rules? match$/);
  // The service's own rules name the address; rules on a CIDR holding it match as well.
  const hits = await chains.ruleTexts(chains.results);
  expect(hits.filter((t) => t.includes(`-d ${web.clusterIp}/32`)).length).toBeGreaterThanOrEqual(2);
  expect(hits.every((t) => /-[sd] \d/.test(t) || t.includes('--to-destination'))).toBe(true);
  await visit(page.url(), 'chains-search');

  await chains.searchFor(`port:${web.nodePort}`);
  expect((await chains.ruleTexts(chains.results)).some((t) => t.includes(`--dport ${web.nodePort}`))).toBe(
    true,
  );

  await chains.searchFor('comment:"kubernetes postrouting rules"');
  expect(await chains.ruleTexts(chains.results)).toEqual([
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
  ]);
  // A hit opens its chain at its rule.
  await chains.results.getByRole('button', { name: 'ip nat · POSTROUTING #1' }).click();
  await expect(chains.chainHeading).toHaveText('Chain POSTROUTING');

  await chains.searchFor('port:99999');
  await expect(chains.results.getByRole('alert')).toHaveText(
    'port:99999: expected a port 0-65535 or a range such as 30000-32767',
  );
  expect(await axeViolations(page)).toEqual([]);
});

test('native nft chains, sets and maps of the nftables-mode node', async ({ page, visit }) => {
  const chains = new ChainsPage(page);
  await page.goto('/hosts/node-3/chains?table=nft%3Aip%2Fkube-proxy&chain=services');
  await expect(chains.chainHeading).toHaveText('Chain services');
  expect(await chains.ruleTexts()).toContain('ip daddr . meta l4proto . th dport vmap @service-ips');
  await chains.sets.getByRole('button', { name: 'map @service-ips' }).click();
  await expect(chains.sets).toContainText(`${web.clusterIp} . tcp . ${web.port} : goto service-`);
  await visit(page.url(), 'chains-node-3-nft');
  // The verdict map's targets are rule targets too.
  // kube-proxy's service map goes (⇢), not jumps, to the service chain.
  await chains.rules.getByRole('button', { name: /^⇢ service-.*default\/web/ }).click();
  await expect(chains.chainHeading).toHaveText(/Chain service-.*default\/web\/tcp\/http/);
  await expect(chains.rules).toContainText('numgen random mod 3 vmap');
  expect(await axeViolations(page)).toEqual([]);
});

test('the chains view is readable in the dark scheme', async ({ page, visit }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await visit('/hosts/node-1/chains', 'chains-dark');
  expect(await axeViolations(page)).toEqual([]);
});

test('the chain graph exports as SVG', async ({ page }) => {
  await page.goto('/hosts/node-1/chains');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download SVG' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('node-1-ipt-ip-nat-chains.svg');
  const text = (await downloadBytes(file)).toString('utf8');
  expect(text).toContain('KUBE-SERVICES');
  expect(text).not.toMatch(/data-zoom="" transform=/);
});

import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { testIds } from '../components/test-ids';

// Life of a packet over the example snapshots (the lab's three nodes, captured by packetlens' own
// collector): a pod on node-1 to the default/api:http ClusterIP reaches one endpoint per node.
const query = '/trace?scope=examples&from=pl-lab-pod-node-1-1&entry=pod&dst=default%2Fapi%3Ahttp&proto=tcp';

test('tracing a pod to a service shows every endpoint path, the DNAT step and the endpoint node', async ({
  visit,
  consoleErrors,
}) => {
  test.setTimeout(120_000); // axe over three full paths there and back takes a while on a busy machine
  const page = await visit(query, 'trace');
  const paths = page.getByTestId(testIds.tracePath);
  await expect(paths).toHaveCount(3);
  for (const p of await paths.all())
    await expect(p.getByRole('heading', { level: 3 })).toContainText('33.3%');
  // The path to the endpoint on node-2: the DNAT on node-1's KUBE-SEP chain, then node-2's pod.
  const toNode2 = paths.filter({ hasText: 'DNAT to 10.244.2.3:8080' });
  await expect(toNode2).toHaveCount(1);
  await expect(toNode2.getByText('node-2/pl-lab-pod-node-2-2', { exact: true }).first()).toBeVisible();
  await expect(toNode2.getByTestId(testIds.traceDisposition).first()).toContainText('local');
  await expect(toNode2.locator('.changed').first()).toBeVisible();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('Life of a packet is in the navigation', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId(testIds.appNav).getByRole('link', { name: 'Life of a packet' }).click();
  await expect(page).toHaveURL('/trace');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Life of a packet');
});

test('step-through explains each step, and the link reproduces the query', async ({ visit, page }) => {
  await visit(query, 'trace-step-through');
  await page.getByLabel(/Step through/).check();
  const panel = page.getByTestId(testIds.traceStepThrough);
  await expect(panel).toContainText('Step 1 of');
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(panel).toContainText('Step 2 of');
  await expect(panel.locator('.explanation')).not.toBeEmpty();
  await page.reload();
  await expect(page.getByTestId(testIds.tracePath)).toHaveCount(3);
});

test('an unknown service says what is wrong', async ({ visit }) => {
  const page = await visit(
    '/trace?scope=examples&from=pl-lab-pod-node-1-1&dst=default%2Fnope%3Ahttp',
    'trace-error',
  );
  await expect(page.getByTestId(testIds.traceError)).toContainText(
    "service 'default/nope:http' is not in the snapshots",
  );
});

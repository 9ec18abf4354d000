import { execFileSync } from 'node:child_process';
import { axeViolations, expect, test } from './fixtures';
import { ChainsPage } from './pages/host-page';
import { ImportPage } from './pages/import-page';

test('a broken dump shows its parser error, file, line and column, in the page', async ({
  visit,
  page,
  consoleErrors,
}) => {
  const importer = new ImportPage(await visit('/import', 'import'));
  await importer.importText(
    'broken',
    '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 70000 -j ACCEPT\nCOMMIT\n',
  );
  await expect(importer.error).toContainText(/In pasted, line 3, column \d+:/);
  await expect(importer.error.locator('pre')).toHaveText(
    /^pasted:3:\d+: --dport: expected a port \(0-65535 or a service name\), got '70000'$/,
  );
  await page.screenshot({ path: 'test-results/screenshots/import-error.png', fullPage: true });

  await importer.importText('nft-text', 'table ip filter {\n\tchain input {\n\t}\n}\n');
  await expect(importer.error.locator('pre')).toHaveText(
    'pasted:1:1: this is nft text output, which packetlens does not parse: use `nft -j list ruleset` and import its JSON',
  );
  expect(await axeViolations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

// Lab pages wait for the dashboard's collection over SSH, which a loaded machine slows down.
test.describe.configure({ timeout: 90_000 });

// A comment is untrusted text: loaded into a real iptables in a namespace of this test, saved by
// iptables-save, imported, it must show as the characters it is and run nothing.
const hostile = '<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>';

function hostileDump(): string {
  const ns = `pl-ui-hostile-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'iptables-restore'], {
      input: `*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 8443 -m comment --comment "${hostile}" -j DROP\nCOMMIT\n`,
    });
    return execFileSync('ip', ['netns', 'exec', ns, 'iptables-save', '-c'], { encoding: 'utf8' });
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

test('a hostile comment renders as text, never as markup', async ({ page, visit, consoleErrors }) => {
  const dump = hostileDump();
  expect(dump).toContain(hostile);
  const importer = new ImportPage(page);
  await page.goto('/import');
  await importer.importFile('hostile', { name: 'hostile.iptables-save', buffer: Buffer.from(dump) });
  await page.getByRole('link', { name: 'chains' }).click();
  const chains = new ChainsPage(page);
  await expect(chains.chainHeading).toHaveText('Chain INPUT');
  const texts = await chains.ruleTexts();
  expect(texts).toEqual([`-A INPUT -p tcp -m tcp --dport 8443 -m comment --comment "${hostile}" -j DROP`]);
  await expect(chains.rules.locator('script, img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await visit(page.url(), 'import-hostile');

  // Searched for, it is still text.
  await chains.searchFor('comment:<script>');
  expect(await chains.ruleTexts(chains.results)).toEqual(texts);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // Imports are kept apart from collected hosts.
  await page.goto('/import');
  await expect(importer.list.getByRole('link', { name: 'hostile' })).toBeVisible();
  await page.goto('/');
  await expect(page.getByTestId('fleet-hosts').getByText('import:hostile')).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});

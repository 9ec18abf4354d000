import { existsSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, screenshotDir, test } from './fixtures';
import { HomePage } from './pages/home-page';

test('home page explains packetlens and shows the empty state', async ({ visit, consoleErrors }) => {
  const home = new HomePage(await visit('/', 'home'));

  await expect(home.heading).toHaveRole('heading');
  await expect(home.heading).toHaveText('What the kernel does with a packet');
  await expect(home.emptyState.getByRole('heading', { name: 'No hosts collected yet' })).toBeVisible();
  await expect(home.emptyState).toContainText('packetlens import FILE... --out snapshot.json');
  await expect(home.nav.getByRole('link', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');

  const axe = await new AxeBuilder({ page: home.page }).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);

  expect(consoleErrors).toEqual([]);
  expect(existsSync(path.join(screenshotDir, 'home.png'))).toBe(true);
});

test('home page has no accessibility violations in the dark scheme', async ({ page, visit }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await visit('/', 'home-dark');
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
});

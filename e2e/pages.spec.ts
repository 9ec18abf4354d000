import { testIds } from '@/components/test-ids';
import { expect, test } from './fixtures';

// Every view is reached from the navigation, which marks where the user is (each view's own spec
// checks its content, accessibility and console).
for (const [label, url, heading] of [
  ['Diff', '/diff', 'Diff'],
  ['NAT', '/nat', 'NAT flows'],
  ['Life of a packet', '/trace', 'Life of a packet'],
  ['Warnings & growth', '/warnings', 'Warnings & growth'],
  ['Import', '/import', 'Import a dump'],
] as const) {
  test(`the navigation leads to ${label}`, async ({ page, consoleErrors }) => {
    await page.goto('/');
    const link = page.getByTestId(testIds.appNav).getByRole('link', { name: label, exact: true });
    await link.click();
    await expect(page).toHaveURL(url);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expect(link).toHaveAttribute('aria-current', 'page');
    expect(consoleErrors).toEqual([]);
  });
}

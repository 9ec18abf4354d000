import { testIds } from '@/components/test-ids';
import { axeViolations, expect, test } from './fixtures';

// Views that need the analyses say so, with no made-up data (Life of a packet: trace.spec.ts).
for (const [url, name, heading, needs] of [
  ['/diff', 'diff', 'Diff', 'analyses'],
  ['/warnings', 'warnings', 'Warnings & growth', 'analyses'],
] as const) {
  test(`${heading} is in the navigation and says it needs the ${needs}`, async ({
    page,
    visit,
    consoleErrors,
  }) => {
    await page.goto('/');
    await page.getByTestId(testIds.appNav).getByRole('link', { name: heading }).click();
    await expect(page).toHaveURL(url);
    await visit(url, name);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await expect(page.getByTestId(testIds.comingSoon)).toContainText(`Not available yet: needs the ${needs}`);
    expect(await axeViolations(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
}

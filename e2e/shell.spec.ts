import { testIds } from '@/components/test-ids';
import { expect, test } from './fixtures';

test('health route answers ok', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ ok: true });
});

test('unknown address shows the not-found page with status 404', async ({ page, visit }) => {
  const response = await page.request.get('/no-such-page');
  expect(response.status()).toBe(404);

  await visit('/no-such-page', 'not-found');
  await expect(page.getByTestId(testIds.notFound).getByRole('heading', { level: 1 })).toHaveText(
    'Page not found',
  );
  await page.getByRole('link', { name: 'Back to the overview' }).click();
  await expect(page).toHaveURL('/');
});

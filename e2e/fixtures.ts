import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect } from '@playwright/test';
import type { Download, Page } from '@playwright/test';

export const screenshotDir = path.join('test-results', 'screenshots');

type Fixtures = {
  /** Console errors and uncaught page errors seen during the test, in order. */
  consoleErrors: string[];
  /** Opens `url`, waits for the page to settle and saves test-results/screenshots/NAME.png. */
  visit: (url: string, name: string) => Promise<Page>;
};

export const test = base.extend<Fixtures>({
  // `provide` rather than Playwright's usual `use`: the React hooks lint rule mistakes `use` for a hook.
  consoleErrors: async ({ page }, provide) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await provide(errors);
  },
  visit: async ({ page }, provide) => {
    mkdirSync(screenshotDir, { recursive: true });
    await provide(async (url, name) => {
      await page.goto(url);
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
      return page;
    });
  },
});

export { expect };

/** Axe's WCAG violations on the page as it is now, as `id: help` lines (none expected). */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
}

/** The bytes of a file the page downloaded. */
export async function downloadBytes(download: Download): Promise<Buffer> {
  const chunks = await (await download.createReadStream()).toArray();
  return Buffer.concat(chunks as Buffer[]);
}

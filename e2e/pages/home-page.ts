import type { Locator, Page } from '@playwright/test';
import { testIds } from '@/components/test-ids';

// Page object: tests speak of the home page's parts, not of selectors.
export class HomePage {
  readonly heading: Locator;
  readonly emptyState: Locator;
  readonly nav: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByTestId(testIds.homeHeading);
    this.emptyState = page.getByTestId(testIds.homeEmptyState);
    this.nav = page.getByTestId(testIds.appNav);
  }
}

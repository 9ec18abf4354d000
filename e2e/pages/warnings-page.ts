import type { Locator, Page } from '@playwright/test';
import { testIds } from '@/components/test-ids';

// Page object of the warnings and growth view.
export class WarningsPage {
  readonly view: Locator;
  readonly table: Locator;
  readonly clusters: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId(testIds.warningsView);
    this.table = page.getByTestId(testIds.warningsTable);
    this.clusters = page.getByTestId(testIds.warningsClusters);
  }

  /** The row of one warning (by id), in a host's view; `host` picks it in a cluster's. */
  warning(id: string, host?: string): Locator {
    const row = this.table.locator(`[data-testid="${testIds.warningRow}"][data-warning="${id}"]`);
    return host ? row.filter({ has: this.page.getByRole('link', { name: host, exact: true }) }) : row;
  }

  measured(row: Locator): Locator {
    return row.getByTestId(testIds.warningMeasured);
  }

  threshold(row: Locator): Locator {
    return row.getByTestId(testIds.warningThreshold);
  }

  chart(metric: string): Locator {
    return this.page.locator(`[data-testid="${testIds.growthChart}"][data-metric="${metric}"]`);
  }
}

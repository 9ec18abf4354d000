import type { Locator, Page } from '@playwright/test';
import { testIds } from '@/components/test-ids';

// Page object of the Diff view.
export class DiffPage {
  readonly result: Locator;
  readonly totals: Locator;
  readonly identical: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.result = page.getByTestId(testIds.diffResult);
    this.totals = page.getByTestId(testIds.diffTotals);
    this.identical = page.getByTestId(testIds.diffIdentical);
    this.error = page.getByTestId(testIds.diffError);
  }

  table(id: string): Locator {
    return this.page.locator(`[data-testid="${testIds.diffTable}"][data-table="${id}"]`);
  }

  chains(): Locator {
    return this.page.getByTestId(testIds.diffChain);
  }

  chain(name: string): Locator {
    return this.page.locator(`[data-testid="${testIds.diffChain}"][data-chain="${name}"]`);
  }

  /** Opens a chain and returns its rule rows once loaded. */
  async openChain(name: string): Promise<Locator> {
    const chain = this.chain(name);
    await chain.locator('summary').click();
    const rows = chain.getByTestId(testIds.diffRuleRow);
    await rows.first().waitFor();
    return rows;
  }
}

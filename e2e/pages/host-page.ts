import type { Locator, Page } from '@playwright/test';
import { testIds } from '@/components/test-ids';

export class HostPage {
  readonly heading: Locator;
  readonly hostNav: Locator;
  readonly pipeline: Locator;
  readonly interfaces: Locator;
  readonly routes: Locator;
  readonly policyRules: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByTestId(testIds.hostHeading);
    this.hostNav = page.getByTestId(testIds.hostNav);
    this.pipeline = page.getByTestId(testIds.pipelineDiagram);
    this.interfaces = page.getByTestId(testIds.hostInterfaces);
    this.routes = page.getByTestId(testIds.hostRoutes);
    this.policyRules = page.getByTestId(testIds.hostPolicyRules);
  }

  /** The pipeline's entries (each a link to its chain), by their accessible names, in drawing order. */
  async entries(): Promise<string[]> {
    return this.pipeline
      .locator('a')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  }
}

export class ChainsPage {
  readonly view: Locator;
  readonly graph: Locator;
  readonly chainHeading: Locator;
  readonly rules: Locator;
  readonly search: Locator;
  readonly results: Locator;
  readonly sets: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId(testIds.chainsView);
    this.graph = page.getByTestId(testIds.chainGraph);
    this.chainHeading = page.getByTestId(testIds.chainHeading);
    this.rules = page.getByTestId(testIds.ruleTable);
    this.search = page.getByTestId(testIds.ruleSearchInput);
    this.results = page.getByTestId(testIds.searchResults);
    this.sets = page.getByTestId(testIds.setList);
  }

  ruleTexts(within: Locator = this.rules): Promise<string[]> {
    return within.getByTestId(testIds.ruleText).allTextContents();
  }

  graphNode(name: string): Locator {
    return this.graph.getByRole('button', {
      name: new RegExp(`^Chain ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`),
    });
  }

  /** Searches and waits for this search's results (the previous ones stay up while it runs). */
  async searchFor(q: string): Promise<void> {
    await this.search.fill(q);
    const answered = this.page.waitForResponse((r) => r.url().includes('/search?'));
    await this.page.getByRole('button', { name: 'Search', exact: true }).click();
    await answered;
    await this.page.locator(`[data-testid="${testIds.searchResults}"][aria-busy="false"]`).waitFor();
  }
}

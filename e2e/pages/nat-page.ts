import type { Locator, Page } from '@playwright/test';
import { testIds } from '@/components/test-ids';

// Page object of the NAT view: its picker, search, diagram, flows and egress table.
export class NatPage {
  readonly view: Locator;
  readonly search: Locator;
  readonly summary: Locator;
  readonly diagram: Locator;
  readonly flows: Locator;
  readonly egress: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId(testIds.natView);
    this.search = page.getByTestId(testIds.natSearchInput);
    this.summary = page.getByTestId(testIds.natSummary);
    this.diagram = page.getByTestId(testIds.natDiagram);
    this.flows = page.getByTestId(testIds.natFlow);
    this.egress = page.getByTestId(testIds.natEgress);
  }

  /** The flow listed under what it catches, e.g. `10.96.0.10:80/tcp` or `local:30080/tcp`. */
  flow(label: string): Locator {
    return this.page.locator(`[data-testid="${testIds.natFlow}"][data-flow="${label}"]`);
  }

  /** The endpoint rows of a flow, by endpoint (`10.244.1.2:80`). */
  endpoint(flow: Locator, to: string): Locator {
    return flow.getByTestId(testIds.natEndpoint).filter({ hasText: to });
  }

  /** Searches and waits for this search's page of flows. */
  async searchFor(q: string): Promise<void> {
    await this.search.fill(q);
    const answered = this.page.waitForResponse((r) => r.url().includes('/nat?') && r.url().includes('q='));
    await this.page.getByRole('button', { name: 'Search', exact: true }).click();
    await answered;
    await this.page.locator(`[data-testid="${testIds.natView}"] [aria-busy="false"]`).waitFor();
  }
}

import type { Locator, Page } from '@playwright/test';
import { testIds } from '@/components/test-ids';

// Page object: tests speak of the fleet's parts, not of selectors.
export class FleetPage {
  readonly heading: Locator;
  readonly hosts: Locator;
  readonly examples: Locator;
  readonly collectButton: Locator;
  readonly progress: Locator;
  readonly labelFilter: Locator;
  readonly nav: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByTestId(testIds.homeHeading);
    this.hosts = page.getByTestId(testIds.fleetHosts);
    this.examples = page.getByTestId(testIds.fleetExamples);
    this.collectButton = page.getByTestId(testIds.collectButton);
    this.progress = page.getByTestId(testIds.collectProgress);
    this.labelFilter = page.getByTestId(testIds.fleetLabelFilter);
    this.nav = page.getByTestId(testIds.appNav);
  }

  host(name: string): Locator {
    return this.hosts.locator(`[data-testid="${testIds.fleetHost}"][data-host="${name}"]`);
  }

  /** The pod rows listed under a host. */
  pods(host: string): Locator {
    return this.hosts.locator(`[data-testid="${testIds.fleetPod}"][data-host="${host}"]`);
  }

  /**
   * Waits until the server's first collection of `hosts` is in (the page refreshes while it runs).
   * The lab is shared: another checkout's tests stop and restart its sshds, so a host that failed
   * gets one more collection (Collect now) before the wait gives up.
   */
  async collected(hosts: readonly string[]): Promise<void> {
    await this.page.goto('/');
    const fresh = (h: string) => this.host(h).getByText('fresh', { exact: true });
    const settled = (h: string) => this.host(h).getByText(/^(fresh|stale|failed)$/);
    for (const h of hosts) await settled(h).waitFor({ timeout: 60_000 });
    if ((await Promise.all(hosts.map((h) => fresh(h).isVisible()))).every(Boolean)) return;
    await this.collectButton.click();
    for (const h of hosts) await fresh(h).waitFor({ timeout: 60_000 });
  }
}

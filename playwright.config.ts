import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// Debian's Chromium only: this machine cannot download Playwright's own browser builds.
const chromiumPath = '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
  throw new Error(
    `${chromiumPath} is missing: install Debian's chromium (as root, npm test does it: apt-get install chromium). ` +
      'Never run "npx playwright install".',
  );
}

const port = Number(process.env.PACKETLENS_E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Playwright empties outputDir at start, so it gets its own folder beside the reports.
  outputDir: 'test-results/playwright',
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: 2,
  timeout: 30_000,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL,
    browserName: 'chromium',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      // Without the background-networking flags Chromium keeps dialing hosts this closed network refuses.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    // The built app as npm start serves it (`npm run build` first), collecting the lab over SSH into a
    // fresh store; scripts/e2e-server.ts brings the lab up first when it is down.
    command: 'node node_modules/tsx/dist/cli.mjs scripts/e2e-server.ts',
    url: `${baseURL}/api/health`,
    env: { NEXT_TELEMETRY_DISABLED: '1', PACKETLENS_E2E_PORT: String(port) },
    reuseExistingServer: false,
    // Building the lab from nothing takes up to two minutes on a loaded machine.
    timeout: 240_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});

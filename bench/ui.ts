/**
 * npm run bench:ui — the dashboard with a 100-rule host and the 10,000-service host (170,000 rules,
 * kube-proxy iptables mode from the generator bench:parse uses), measured in one run with Playwright
 * driving Debian's Chromium against the built app (`npm run build` first):
 *
 * - host page and chains view: time until usable (the pipeline diagram, or the chain graph and the
 *   first rule page, on screen) and bytes transferred (every response of the page, headers
 *   included, in a fresh browser context so nothing comes from a cache);
 * - rule search: from pressing Search to the results on screen, for an address and for a port.
 *
 * The first visit of each host after the server starts is reported apart ("cold"): the server then
 * reads the snapshot back from the store and indexes it once. The figures compared with the targets
 * are medians of the visits after it. Targets: the 170k host within 2x the 100-rule host on every
 * figure, and under 2 MB transferred for its first view.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { openStore } from '../collector/store/sqlite-store';
import { kubeProxyIptablesSave, kubeProxyServices } from '../lib/generate/kube-proxy-iptables';
import { buildSnapshot } from '../lib/snapshot/build';
import { snapshotStats } from '../lib/snapshot/stats';
import { testIds } from '../components/test-ids';
import { benchDir, bytes, fmt, median, outDir, table, verdict } from './bench-util';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ENDPOINTS = 5;
const hosts = [
  { name: 'bench-small', services: 4 },
  { name: 'bench-10k', services: Number(process.env.BENCH_SERVICES ?? 10_000) },
] as const;
const repoDir = path.resolve(benchDir, '..');
const log = (line: string) => console.error(`bench:ui: ${line}`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The store the server reads: both hosts, saved as the collector saves a host. */
function storeBuild(file: string): Map<string, { rules: number; vips: string[] }> {
  rmSync(file, { force: true });
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
  const store = openStore(file);
  const facts = new Map<string, { rules: number; vips: string[] }>();
  try {
    for (const h of hosts) {
      const opts = { services: h.services, endpointsPerService: ENDPOINTS };
      const text = kubeProxyIptablesSave(opts);
      const snapshot = buildSnapshot([{ origin: 'iptables-save -c', text }], {
        host: h.name,
        kind: 'host',
        collectedAt: new Date().toISOString(),
      });
      const stats = snapshotStats(snapshot);
      store.snapshotSave(
        { name: h.name, kind: 'host', address: null, labels: { bench: 'ui' } },
        snapshot,
        {},
        stats,
        null,
      );
      // Services from the middle of KUBE-SERVICES, one per search so no two searches are alike.
      const services = kubeProxyServices(opts);
      const mid = Math.floor(services.length / 2);
      const vips = Array.from({ length: RUNS }, (_, i) => services[(mid + i) % services.length]!.clusterIp);
      facts.set(h.name, { rules: stats.rules.total, vips });
      log(`${h.name}: ${stats.rules.total} rules stored`);
    }
  } finally {
    store.close();
  }
  return facts;
}

async function serverStart(port: number, dbFile: string): Promise<ChildProcess> {
  const server = spawn(
    process.execPath,
    [
      path.join(repoDir, 'node_modules/next/dist/bin/next'),
      'start',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    {
      cwd: repoDir,
      env: { ...process.env, PACKETLENS_DB: dbFile, PACKETLENS_COLLECT: 'off', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server.stderr?.on('data', (d: Buffer) => process.stderr.write(`[server] ${d}`));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  server.kill('SIGTERM');
  throw new Error('the server did not answer /api/health within 60 s');
}

interface Visit {
  ms: number;
  bytes: number;
}

/** Opens `url` in a fresh context and waits until `ready` holds; counts every byte received. */
async function visit(browser: Browser, url: string, ready: (page: Page) => Promise<void>): Promise<Visit> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  let received = 0;
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
    received += e.encodedDataLength;
  });
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await ready(page);
  const ms = performance.now() - started;
  // Late requests of the same view (prefetches of links in sight) still count as its bytes.
  await page.waitForLoadState('networkidle');
  await context.close();
  return { ms, bytes: received };
}

/** Press Search on a freshly opened chains view (so no answer comes from the page's cache). */
async function searchLatency(
  browser: Browser,
  base: string,
  host: string,
  queries: readonly string[],
): Promise<number[]> {
  const times: number[] = [];
  for (const q of queries) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/hosts/${host}/chains`);
    await chainsReady(page);
    await page.getByTestId(testIds.ruleSearchInput).fill(q);
    const started = performance.now();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page
      .getByTestId(testIds.searchResults)
      .getByRole('heading', { level: 2 })
      .filter({ hasText: 'match' })
      .waitFor();
    times.push(performance.now() - started);
    await context.close();
  }
  return times;
}

const hostReady = async (page: Page) => {
  await page.getByTestId(testIds.pipelineDiagram).waitFor();
};
const chainsReady = async (page: Page) => {
  await page.getByTestId(testIds.chainGraph).locator('[role=button]').first().waitFor();
  await page.getByTestId(testIds.ruleRow).first().waitFor();
};

async function main(): Promise<void> {
  if (!existsSync(path.join(repoDir, '.next', 'BUILD_ID')))
    throw new Error('no build: run npm run build first');
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  const loadBefore = load();
  const dir = path.join(outDir, 'ui');
  mkdirSync(dir, { recursive: true });
  const dbFile = path.join(dir, 'bench-ui.db');
  const facts = storeBuild(dbFile);
  const port = await freePort();
  const server = await serverStart(port, dbFile);
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  const results = new Map<string, Record<string, number>>();
  try {
    for (const h of hosts) {
      const hostUrl = `${base}/hosts/${h.name}`;
      const chainsUrl = `${base}/hosts/${h.name}/chains`;
      const cold = await visit(browser, hostUrl, hostReady);
      const coldChains = await visit(browser, chainsUrl, chainsReady);
      log(`${h.name}: cold host page ${fmt(cold.ms)}, cold chains view ${fmt(coldChains.ms)}`);
      const hostVisits: Visit[] = [];
      const chainVisits: Visit[] = [];
      for (let i = 0; i < RUNS; i++) {
        hostVisits.push(await visit(browser, hostUrl, hostReady));
        chainVisits.push(await visit(browser, chainsUrl, chainsReady));
      }
      const f = facts.get(h.name)!;
      const addr = await searchLatency(browser, base, h.name, f.vips);
      // Every service's port: the broadest search, thousands of matches on the big host, paged.
      const port = await searchLatency(
        browser,
        base,
        h.name,
        Array.from({ length: RUNS }, () => '80'),
      );
      results.set(h.name, {
        rules: f.rules,
        coldHost: cold.ms,
        coldChains: coldChains.ms,
        hostMs: median(hostVisits.map((v) => v.ms)),
        hostBytes: median(hostVisits.map((v) => v.bytes)),
        chainsMs: median(chainVisits.map((v) => v.ms)),
        chainsBytes: median(chainVisits.map((v) => v.bytes)),
        searchAddrMs: median(addr),
        searchPortMs: median(port),
      });
    }
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }

  const small = results.get(hosts[0].name)!;
  const big = results.get(hosts[1].name)!;
  const row = (label: string, key: string, unit: 'ms' | 'bytes'): string[] => {
    const a = small[key]!;
    const b = big[key]!;
    const show = unit === 'ms' ? fmt : bytes;
    return [label, show(a), show(b), `${(b / a).toFixed(2)}x`, `<= 2x: ${verdict(b / a <= 2)}`];
  };
  console.log(
    `\nbench:ui: ${hosts[0].name} ${small.rules} rules vs ${hosts[1].name} ${big.rules} rules; medians of ${RUNS} visits after the first (cold) one; search medians of ${RUNS}`,
  );
  table([
    ['figure', `${small.rules} rules`, `${big.rules} rules`, 'ratio', 'target'],
    row('host page: time until usable', 'hostMs', 'ms'),
    row('host page: bytes transferred', 'hostBytes', 'bytes'),
    row('chains view: time until usable', 'chainsMs', 'ms'),
    row('chains view: bytes transferred', 'chainsBytes', 'bytes'),
    row('rule search by address (a ClusterIP)', 'searchAddrMs', 'ms'),
    row('rule search by port (80: every service)', 'searchPortMs', 'ms'),
    [
      'first view of the 170k host (chains view)',
      '',
      bytes(big.chainsBytes!),
      '',
      `< 2 MB: ${verdict(big.chainsBytes! < 2e6)}`,
    ],
    [
      'first view of the 170k host (host page)',
      '',
      bytes(big.hostBytes!),
      '',
      `< 2 MB: ${verdict(big.hostBytes! < 2e6)}`,
    ],
    [
      'cold first visit, host page (read + index)',
      fmt(small.coldHost!),
      fmt(big.coldHost!),
      '',
      'reported, no target',
    ],
    [
      'cold first visit, chains view',
      fmt(small.coldChains!),
      fmt(big.coldChains!),
      '',
      'reported, no target',
    ],
  ]);
  console.log(`load average (1, 5, 15 min): before ${loadBefore}, after ${load()}; ${os.cpus().length} CPUs`);
}

main().catch((e: unknown) => {
  console.error(`bench:ui: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

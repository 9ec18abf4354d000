import type { PodSummary } from '../../lib/views/host-overview';
import { openStore } from '../store/sqlite-store';
import type { Store } from '../store/store';
import { collectionStart, type Collection } from './collection';
import { dashboardConfig, type DashboardConfig } from './config';
import { examplesLoad, type Examples } from './examples';
import { preparedCache, type PreparedCache } from './prepared-snapshots';
import { warmAll } from './warm';

/**
 * The dashboard server's state: one store handle, the examples, the prepared-snapshot cache and the
 * collection schedule. Next.js may load this module more than once (instrumentation and each route
 * bundle), so the one instance lives on globalThis.
 */

export interface Dashboard {
  config: DashboardConfig;
  /** Opened on first use and kept open (WAL: readers do not block the collector). */
  store(): Store;
  examples: Examples;
  prepared: PreparedCache;
  /** Pod summaries per prepared-snapshot key, small enough to keep for every host. */
  podSummaries: Map<string, PodSummary[]>;
  collection: Collection;
  /** Prepares every host's latest snapshot in the background (after start and after each run). */
  warm(): void;
  /** Stops the schedule and closes the store (tests; the server keeps its one to the end). */
  close(): void;
}

const slot = Symbol.for('packetlens.dashboard');
type Global = typeof globalThis & { [slot]?: Promise<Dashboard> };

export function dashboard(): Promise<Dashboard> {
  const g = globalThis as Global;
  return (g[slot] ??= dashboardOpen(dashboardConfig(), (line) => console.log(`[packetlens] ${line}`)));
}

/** A dashboard over `config`: the server's one (see `dashboard()`), or a test's own. */
export async function dashboardOpen(
  config: DashboardConfig,
  log: (line: string) => void,
): Promise<Dashboard> {
  let store: Store | null = null;
  const storeOf = () => (store ??= openStore(config.storeFile));
  let d: Dashboard | null = null;
  const collection = await collectionStart({ config, store: storeOf, onRunDone: () => d?.warm(), log });
  d = {
    config,
    store: storeOf,
    examples: examplesLoad(config.examplesDir),
    prepared: preparedCache(),
    podSummaries: new Map(),
    collection,
    warm: () => warmAll(d!),
    close: () => {
      collection.stop();
      store?.close();
    },
  };
  for (const p of d.examples.problems) log(`example: ${p}`);
  const mode = collection.status();
  log(
    `store ${config.storeFile}; ` +
      (mode.mode === 'inventory'
        ? `collecting ${mode.targets} host(s) of ${mode.inventory} every ${mode.everyMinutes} min`
        : mode.mode === 'local'
          ? `no inventory: collecting this machine every ${mode.everyMinutes} min`
          : 'not collecting') +
      (mode.problem ? ` (${mode.problem})` : ''),
  );
  d.warm();
  return d;
}

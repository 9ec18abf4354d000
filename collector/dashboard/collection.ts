import { hostname } from 'node:os';
import path from 'node:path';
import type { CollectionStatus, RunView } from '../../lib/views/fleet';
import { collectRun } from '../collect/collect-run';
import type { ResolvedHost } from '../inventory/inventory';
import { hostResolve, inventoryLoad } from '../inventory/inventory';
import { collectionSchedule, type CollectionSchedule } from '../schedule/collection-schedule';
import type { RunRecord, Store } from '../store/store';
import type { DashboardConfig } from './config';
import { redactor, type Redact } from './redact';

/**
 * Collection inside the dashboard server: the inventory's hosts (or, without an inventory, this
 * machine) now, on their schedule, and on demand. "Collect now" while a run goes on joins that run,
 * so two runs never collect the same hosts at once. Progress is read back from the store's run
 * record, which the collector updates host by host.
 */

export interface Collection {
  status(): CollectionStatus;
  /** Starts a run, or joins the one going on. */
  collectNow(): CollectionStatus;
  /** Secrets of the inventory scrubbed from messages. */
  redact: Redact;
  stop(): void;
}

export interface CollectionDeps {
  config: DashboardConfig;
  store: () => Store;
  /** Told after each run, to warm the cache for what changed. */
  onRunDone: () => void;
  log: (line: string) => void;
}

function runView(run: RunRecord, redact: Redact): RunView {
  return {
    id: run.id,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    total: run.progress.total,
    done: run.progress.done,
    ok: run.progress.ok,
    failed: run.progress.failed,
    hosts: run.hosts.map((h) => ({
      host: h.host,
      status: h.status,
      failure: h.failure ? { kind: h.failure.kind, message: redact(h.failure.message) } : null,
    })),
  };
}

interface Targets {
  mode: CollectionStatus['mode'];
  hosts: ResolvedHost[];
  everyMinutes: number | null;
  problem: string | null;
}

async function targetsOf(config: DashboardConfig): Promise<Targets> {
  if (!config.collect) {
    return {
      mode: 'off',
      hosts: [],
      everyMinutes: null,
      problem: 'collection is off (PACKETLENS_COLLECT=off)',
    };
  }
  if (config.inventoryFile) {
    try {
      const inventory = await inventoryLoad(config.inventoryFile);
      const hosts = inventory.hosts.map((h) => hostResolve(inventory, h.name));
      return { mode: 'inventory', hosts, everyMinutes: inventory.collectEveryMinutes, problem: null };
    } catch (e) {
      return {
        mode: 'inventory',
        hosts: [],
        everyMinutes: null,
        problem: e instanceof Error ? e.message : String(e),
      };
    }
  }
  const local: ResolvedHost = {
    local: true,
    name: hostname(),
    labels: {},
    commandTimeoutMs: 60_000,
    sudo: false,
  };
  return { mode: 'local', hosts: [local], everyMinutes: config.localEveryMinutes, problem: null };
}

export async function collectionStart(deps: CollectionDeps): Promise<Collection> {
  const { config } = deps;
  const targets = await targetsOf(config);
  const ownKnownHosts = path.join(path.dirname(config.storeFile), 'known_hosts');
  const redact = redactor(targets.hosts, { ownKnownHosts });
  let active = false;
  let lastRunId: number | null = null;

  const run = async (): Promise<RunRecord> => {
    const store = deps.store();
    // collectRun registers its run first thing: catch the id so progress can be read while it runs.
    const tracking: Store = {
      ...store,
      runStart: (input) => {
        lastRunId = store.runStart(input);
        return lastRunId;
      },
    };
    active = true;
    try {
      const record = await collectRun(targets.hosts, tracking, { ownKnownHosts, acceptNew: false });
      deps.log(
        `collection run ${record.id}: ${record.progress.ok} collected, ${record.progress.failed} failed`,
      );
      for (const h of record.hosts) {
        if (h.failure) deps.log(`  ${h.host}: ${h.failure.kind}: ${redact(h.failure.message)}`);
      }
      return record;
    } finally {
      active = false;
      deps.onRunDone();
    }
  };

  let schedule: CollectionSchedule<RunRecord> | null = null;
  if (targets.hosts.length > 0 && targets.everyMinutes !== null) {
    schedule = collectionSchedule({
      everyMinutes: targets.everyMinutes,
      run,
      onError: (e) => deps.log(`collection failed: ${redact(e instanceof Error ? e.message : String(e))}`),
    });
  }

  const status = (): CollectionStatus => {
    let runRecord: RunView | null = null;
    if (lastRunId !== null) {
      const record = deps.store().runGet(lastRunId);
      if (record) runRecord = runView(record, redact);
    }
    return {
      mode: targets.mode,
      inventory: config.inventoryFile ? path.basename(config.inventoryFile) : null,
      everyMinutes: targets.everyMinutes,
      targets: targets.hosts.length,
      running: active,
      run: runRecord,
      problem: targets.problem === null ? null : redact(targets.problem),
    };
  };

  return {
    status,
    collectNow() {
      if (schedule) void schedule.runNow().catch(() => {});
      return status();
    },
    redact,
    stop: () => schedule?.stop(),
  };
}

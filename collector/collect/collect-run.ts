import { availableParallelism } from 'node:os';
import type { ResolvedHost } from '../inventory/inventory';
import type { HostInput, RunRecord, Store } from '../store/store';
import type { CollectHostOptions } from './collect-host';
import { hostFetch } from './collect-host';
import { fanOut } from './fan-out';
import { failureOf, failureRetryable } from './host-failure';
import { concurrencyLimit } from './limiter';
import { parsePool } from './parse-pool';

export interface CollectRunOptions extends CollectHostOptions {
  /** Hosts whose SSH sessions run at once (default 16). */
  concurrency?: number;
  retries?: number;
  backoffMs?: number;
  /** Parser threads (default: one per CPU, at most `concurrency`). */
  parsers?: number;
  onProgress?: (done: number, total: number, host: string) => void;
  /** Called with each host's snapshot, as JSON (UTF-8), as soon as it is stored (`--out` files). */
  onSnapshot?: (host: string, snapshotJson: Uint8Array) => Promise<void> | void;
}

function hostInput(host: ResolvedHost): HostInput {
  return { name: host.name, kind: 'host', address: host.local ? null : host.address, labels: host.labels };
}

/**
 * Collects every host and stores each one as soon as it is done (one transaction each), so a run
 * killed half way keeps what it finished. At most `concurrency` hosts are fetched at once; a
 * fetched output is parsed in a parser thread while the next host's session takes its slot, and
 * the main thread writes the store. A host that fails is recorded with its reason; its last good
 * snapshot stays in the store and shows as stale.
 */
export async function collectRun(
  hosts: readonly ResolvedHost[],
  store: Store,
  opts: CollectRunOptions,
): Promise<RunRecord> {
  const runId = store.runStart({ hosts: hosts.map(hostInput) });
  const concurrency = opts.concurrency ?? 16;
  const fetchSlot = concurrencyLimit(concurrency);
  const parsers = parsePool(
    opts.parsers ?? Math.max(1, Math.min(availableParallelism(), concurrency, hosts.length)),
  );
  try {
    const results = await fanOut(
      hosts,
      async (host) => {
        let startedAt = new Date();
        const output = await fetchSlot(() => {
          startedAt = new Date();
          return hostFetch(host, opts);
        });
        const prepared = await parsers.prepare(output);
        await store.snapshotSavePrepared(hostInput(host), prepared, runId);
        store.runHostResult(runId, host.name, { status: 'ok' }, { startedAt, finishedAt: new Date() });
        await opts.onSnapshot?.(host.name, prepared.parsedJson);
      },
      {
        // The fetch slots limit the sessions; every host may wait for its parse at once.
        concurrency: hosts.length,
        retries: opts.retries ?? 2,
        backoffMs: opts.backoffMs ?? 1000,
        retryable: failureRetryable,
        onProgress: (done, total, host) => {
          opts.onProgress?.(done, total, host.name);
        },
      },
    );
    for (const r of results) {
      if (!r.ok) store.runHostResult(runId, r.item.name, { status: 'failed', failure: failureOf(r.error) });
    }
  } finally {
    await parsers.close();
  }
  return store.runFinish(runId);
}

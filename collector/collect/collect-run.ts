import { kubeServiceCounts, kubeServices } from '../../lib/analyze/kube-services';
import { snapshotStats } from '../../lib/snapshot/stats';
import type { ResolvedHost } from '../inventory/inventory';
import type { HostInput, RunRecord, Store } from '../store/store';
import type { CollectHostOptions } from './collect-host';
import { collectHost, failureOf, failureRetryable } from './collect-host';
import type { Snapshot } from '../../lib/model/snapshot';
import { fanOut } from './fan-out';

export interface CollectRunOptions extends CollectHostOptions {
  concurrency?: number;
  retries?: number;
  backoffMs?: number;
  onProgress?: (done: number, total: number, host: string) => void;
  /** Called with each host's snapshot as soon as it is stored (e.g. to write `--out` files). */
  onSnapshot?: (host: string, snapshot: Snapshot) => Promise<void> | void;
}

function hostInput(host: ResolvedHost): HostInput {
  return { name: host.name, kind: 'host', address: host.local ? null : host.address, labels: host.labels };
}

/**
 * Collects every host, at most `concurrency` at once, and stores each one as soon as it is done
 * (one transaction each), so a run killed half way keeps what it finished. A host that fails is
 * recorded with its reason; its last good snapshot stays in the store and shows as stale.
 */
export async function collectRun(
  hosts: readonly ResolvedHost[],
  store: Store,
  opts: CollectRunOptions,
): Promise<RunRecord> {
  const runId = store.runStart({ hosts: hosts.map(hostInput) });
  await fanOut(
    hosts,
    async (host) => {
      const startedAt = new Date();
      const { snapshot, raw } = await collectHost(host, opts);
      // kube-proxy's services and endpoints go with the rule counts, for growth over time.
      const stats = { ...snapshotStats(snapshot), ...kubeServiceCounts(kubeServices(snapshot)) };
      store.snapshotSave(hostInput(host), snapshot, raw, stats, runId);
      store.runHostResult(runId, host.name, { status: 'ok' }, { startedAt, finishedAt: new Date() });
      await opts.onSnapshot?.(host.name, snapshot);
    },
    {
      concurrency: opts.concurrency ?? 16,
      retries: opts.retries ?? 2,
      backoffMs: opts.backoffMs ?? 1000,
      retryable: failureRetryable,
      onProgress: (done, total, host) => {
        opts.onProgress?.(done, total, host.name);
      },
    },
  ).then((results) => {
    for (const r of results) {
      if (!r.ok) store.runHostResult(runId, r.item.name, { status: 'failed', failure: failureOf(r.error) });
    }
  });
  return store.runFinish(runId);
}

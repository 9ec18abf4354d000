import { snapshotStats } from '../../lib/snapshot/stats';
import type { Fleet, FleetHost, HostStateView } from '../../lib/views/fleet';
import { growthSample } from '../../lib/views/fleet';
import { podSummary, type PodSummary } from '../../lib/views/host-overview';
import type { HistoryPoint, HostSummary } from '../store/store';
import type { Redact } from './redact';
import type { Dashboard } from './runtime';
import { subjectSource } from './subjects';
import { badgesOf } from './warnings';

/** The fleet page: every collected host with its state, totals, growth and pods, and the examples. */

interface Growth {
  points: FleetHost['growth'];
  collections: number;
  last: HistoryPoint | null;
}

// History is read once per host and collection; the fleet is polled while a run goes on.
const growthCache = new Map<string, Growth>();

function growthOf(d: Dashboard, host: HostSummary): Growth {
  const key = `${host.name}:${host.lastSeen}:${host.lastFailureAt}`;
  const known = growthCache.get(key);
  if (known) return known;
  const history = d.store().historyOf(host.name);
  const growth: Growth = {
    points: growthSample(history).map((p) => ({ at: p.collectedAt, rules: p.rulesTotal })),
    collections: history.length,
    last: history.at(-1) ?? null,
  };
  for (const k of growthCache.keys()) if (k.startsWith(`${host.name}:`)) growthCache.delete(k);
  growthCache.set(key, growth);
  return growth;
}

function stateOf(h: HostSummary, redact: Redact): HostStateView {
  switch (h.state) {
    case 'fresh':
    case 'pending':
      return { state: h.state };
    case 'stale':
    case 'failed':
      return { state: h.state, reason: { kind: h.reason.kind, message: redact(h.reason.message) } };
  }
}

function podsOf(d: Dashboard, host: HostSummary): PodSummary[] {
  if (host.lastSnapshotId === null) return [];
  const source = subjectSource(d, { host: host.name, snapshot: null });
  let pods = d.podSummaries.get(source.key);
  if (!pods) {
    pods = source.load()?.snapshot.pods.map(podSummary) ?? [];
    d.podSummaries.set(source.key, pods);
  }
  return pods;
}

export function fleetBuild(d: Dashboard): Fleet {
  const collection = d.collection.status();
  const every = collection.everyMinutes;
  // A host not collected for two and a half schedule periods is stale even without a failure.
  const staleAfterMs = collection.mode !== 'off' && every !== null ? every * 150_000 : undefined;
  const hosts = d
    .store()
    .hostsList({ staleAfterMs })
    .filter((h) => h.kind === 'host')
    .map((h): FleetHost => {
      const growth = growthOf(d, h);
      return {
        name: h.name,
        source: 'collected',
        address: h.address,
        labels: h.labels,
        state: stateOf(h, d.collection.redact),
        lastSeen: h.lastSeen,
        lastFailureAt: h.lastFailureAt,
        rules: growth.last?.rulesTotal ?? null,
        chains: growth.last?.chains ?? null,
        longestChain: growth.last?.longestChain ?? null,
        growth: growth.points,
        collections: growth.collections,
        pods: podsOf(d, h),
        warnings: badgesOf(d, h.name, h),
      };
    });
  const examples = [...d.examples.snapshots].map(([name, snap]): FleetHost => {
    const stats = snapshotStats(snap);
    return {
      name,
      source: 'example',
      address: null,
      labels: snap.host.labels,
      state: { state: 'example' },
      lastSeen: snap.host.collectedAt,
      lastFailureAt: null,
      rules: stats.rules.total,
      chains: stats.chains,
      longestChain: stats.longestChain,
      growth: [{ at: snap.host.collectedAt, rules: stats.rules.total }],
      collections: 1,
      pods: snap.pods.map(podSummary),
      warnings: badgesOf(d, name, null),
    };
  });
  return { hosts, examples, collection };
}

import { z } from 'zod';
import { PodSummary } from './host-overview';
import { WarningBadges } from './warnings-schema';

/** The fleet page's payload: every host and example with its state, totals and growth, and collection. */

export const Failure = z.object({ kind: z.string(), message: z.string() });

export const HostStateView = z.discriminatedUnion('state', [
  /** The last collection succeeded. */
  z.object({ state: z.literal('fresh') }),
  /** The last collection failed (or is too old); the last good snapshot is shown. */
  z.object({ state: z.literal('stale'), reason: Failure }),
  /** Collection failed and nothing was ever collected. */
  z.object({ state: z.literal('failed'), reason: Failure }),
  /** Registered by a run that has not reported on it yet. */
  z.object({ state: z.literal('pending') }),
  /** Captured by the project from its lab and shipped with packetlens. */
  z.object({ state: z.literal('example') }),
]);
export type HostStateView = z.infer<typeof HostStateView>;

export const GrowthPoint = z.object({ at: z.string(), rules: z.number().int().nonnegative() });
export type GrowthPoint = z.infer<typeof GrowthPoint>;

export const FleetHost = z.object({
  name: z.string(),
  source: z.enum(['collected', 'example']),
  /** The address the collector connects to; null for local hosts and examples. */
  address: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  state: HostStateView,
  lastSeen: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  /** Rules in the host's own namespace at the last good collection; null when none. */
  rules: z.number().int().nonnegative().nullable(),
  chains: z.number().int().nonnegative().nullable(),
  longestChain: z
    .object({ family: z.string(), table: z.string(), chain: z.string(), rules: z.number() })
    .nullable(),
  /** Rule totals over the stored collections, oldest first (at most `growthPointsMax`). */
  growth: z.array(GrowthPoint),
  /** Collections stored in all. */
  collections: z.number().int().nonnegative(),
  pods: z.array(PodSummary),
  /**
   * The host's warnings counted by severity, from the server's cache (`pending` until the background
   * analysis has run); null when there is no snapshot to analyse.
   */
  warnings: WarningBadges.nullable(),
});
export type FleetHost = z.infer<typeof FleetHost>;

export const RunView = z.object({
  id: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  ok: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  hosts: z.array(
    z.object({ host: z.string(), status: z.enum(['pending', 'ok', 'failed']), failure: Failure.nullable() }),
  ),
});
export type RunView = z.infer<typeof RunView>;

export const CollectionStatus = z.object({
  /** `inventory`: the hosts of an inventory file; `local`: this machine only; `off`: nothing is collected. */
  mode: z.enum(['inventory', 'local', 'off']),
  /** The inventory file's name, for the page; never its contents. */
  inventory: z.string().nullable(),
  everyMinutes: z.number().nullable(),
  targets: z.number().int().nonnegative(),
  /** A run is going on now. */
  running: z.boolean(),
  /** The run going on, or the last one this server started. */
  run: RunView.nullable(),
  /** Why collection is off or failed to start, when it is. */
  problem: z.string().nullable(),
});
export type CollectionStatus = z.infer<typeof CollectionStatus>;

export const Fleet = z.object({
  hosts: z.array(FleetHost),
  examples: z.array(FleetHost),
  collection: CollectionStatus,
});
export type Fleet = z.infer<typeof Fleet>;

export const growthPointsMax = 60;

/** At most `max` points, evenly spread, always keeping the first and the last. */
export function growthSample<T>(points: readonly T[], max = growthPointsMax): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return out;
}

/** Label filters as `key=value`; a host matches when it has every one. */
export function labelsMatch(labels: Record<string, string>, filters: readonly string[]): boolean {
  return filters.every((f) => {
    const i = f.indexOf('=');
    return i > 0 && labels[f.slice(0, i)] === f.slice(i + 1);
  });
}

/** Every `key=value` among the hosts, sorted, for the filter's choices. */
export function labelChoices(hosts: readonly { labels: Record<string, string> }[]): string[] {
  const all = new Set<string>();
  for (const h of hosts) for (const [k, v] of Object.entries(h.labels)) all.add(`${k}=${v}`);
  return [...all].sort();
}

import { z } from 'zod';
import type { ThresholdId } from './thresholds';
import { Severity, thresholdOf } from './thresholds';

/**
 * Growth for capacity reviews: from a host's statistics at each collection (the store keeps them),
 * each measure over time, its growth rate (least squares over the collections), and when at that
 * rate it crosses each level of its warning thresholds (thresholds.ts). For a group of hosts (one
 * label) the measure at each collection run is the largest of the hosts', since thresholds hold
 * per host.
 */

/** The statistics of one collection, as the store's history gives them. */
export const GrowthPoint = z.object({
  collectedAt: z.string(),
  runId: z.number().int().nullable(),
  rulesTotal: z.number().int().nonnegative(),
  services: z.number().int().nonnegative().nullable(),
  endpoints: z.number().int().nonnegative().nullable(),
  /** Rules per table, keyed `family/table`. */
  byTable: z.record(z.string(), z.number().int().nonnegative()),
  longestChain: z.object({ rules: z.number().int().nonnegative() }).nullable(),
  /** Rules per chain, keyed `family/table/chain`, when the history was read with them. */
  byChain: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
export type GrowthPoint = z.infer<typeof GrowthPoint>;

export const Crossing = z.object({
  threshold: z.string(),
  severity: Severity,
  level: z.number(),
  /** When the measure first went above the level; null when it has not. */
  crossedAt: z.string().nullable(),
  /** When, at the current rate, it will; null when it already has or does not grow. */
  projectedAt: z.string().nullable(),
  inDays: z.number().nullable(),
});
export type Crossing = z.infer<typeof Crossing>;

export const GrowthMetric = z.object({
  metric: z.enum(['rules', 'largest-table', 'longest-chain', 'kube-services-rules', 'services', 'endpoints']),
  unit: z.string(),
  points: z.array(z.object({ at: z.string(), value: z.number() })),
  latest: z.number().nullable(),
  /** Change per day, least squares over the points; null with fewer than two collection times. */
  perDay: z.number().nullable(),
  crossings: z.array(Crossing),
});
export type GrowthMetric = z.infer<typeof GrowthMetric>;

export const Growth = z.object({
  /** A host name, or a label `key=value` for a group. */
  subject: z.string(),
  hosts: z.array(z.string()),
  metrics: z.array(GrowthMetric),
});
export type Growth = z.infer<typeof Growth>;

interface MetricSpec {
  metric: GrowthMetric['metric'];
  unit: string;
  value: (p: GrowthPoint) => number | null;
  thresholds: ThresholdId[];
}

function maxOf(values: Iterable<number>): number | null {
  let m: number | null = null;
  for (const v of values) m = m === null || v > m ? v : m;
  return m;
}

const METRICS: MetricSpec[] = [
  { metric: 'rules', unit: 'rules', value: (p) => p.rulesTotal, thresholds: ['host-rules'] },
  {
    metric: 'largest-table',
    unit: 'rules',
    value: (p) => maxOf(Object.values(p.byTable)) ?? 0,
    thresholds: ['table-rules'],
  },
  {
    metric: 'longest-chain',
    unit: 'rules',
    value: (p) => p.longestChain?.rules ?? 0,
    thresholds: ['longest-chain'],
  },
  {
    metric: 'kube-services-rules',
    unit: 'rules',
    value: (p) =>
      p.byChain
        ? maxOf(
            Object.entries(p.byChain)
              .filter(([k]) => k.endsWith('/nat/KUBE-SERVICES'))
              .map(([, v]) => v),
          )
        : null,
    thresholds: ['kube-services-rules'],
  },
  { metric: 'services', unit: 'services', value: (p) => p.services, thresholds: [] },
  { metric: 'endpoints', unit: 'endpoints', value: (p) => p.endpoints, thresholds: ['large-cluster-mode'] },
];

const DAY_MS = 86_400_000;

/** Least squares slope of value over time, per day. */
function perDay(points: readonly { t: number; value: number }[]): number | null {
  if (new Set(points.map((p) => p.t)).size < 2) return null;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.value, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.value - mv);
    den += (p.t - mt) ** 2;
  }
  return (num / den) * DAY_MS;
}

function metricOf(spec: MetricSpec, series: readonly { at: string; value: number | null }[]): GrowthMetric {
  const points = series.filter((p): p is { at: string; value: number } => p.value !== null);
  const timed = points.map((p) => ({ t: Date.parse(p.at), value: p.value }));
  const rate = perDay(timed);
  const last = timed[timed.length - 1];
  const crossings: Crossing[] = [];
  for (const id of spec.thresholds) {
    const t = thresholdOf(id);
    for (const severity of ['info', 'warning', 'critical'] as const) {
      const level = t.levels[severity];
      if (level === null) continue;
      const first = points.find((p) => p.value > level);
      let projectedAt: string | null = null;
      let inDays: number | null = null;
      if (!first && last && rate !== null && rate > 0) {
        inDays = (level - last.value) / rate;
        projectedAt = new Date(last.t + inDays * DAY_MS).toISOString();
      }
      crossings.push({ threshold: id, severity, level, crossedAt: first?.at ?? null, projectedAt, inDays });
    }
  }
  return {
    metric: spec.metric,
    unit: spec.unit,
    points,
    latest: last?.value ?? null,
    perDay: rate,
    crossings,
  };
}

/** Growth of one host from its history, oldest first. */
export function hostGrowth(host: string, history: readonly GrowthPoint[]): Growth {
  return {
    subject: host,
    hosts: [host],
    metrics: METRICS.map((m) =>
      metricOf(
        m,
        history.map((p) => ({ at: p.collectedAt, value: m.value(p) })),
      ),
    ),
  };
}

/** Growth of a group of hosts: per collection run (or time), the largest value among the hosts. */
export function groupGrowth(subject: string, histories: ReadonlyMap<string, readonly GrowthPoint[]>): Growth {
  const buckets = new Map<string, { at: string; points: GrowthPoint[] }>();
  for (const points of histories.values())
    for (const p of points) {
      const key = p.runId !== null ? `run ${p.runId}` : p.collectedAt;
      const b = buckets.get(key);
      if (!b) buckets.set(key, { at: p.collectedAt, points: [p] });
      else {
        b.points.push(p);
        if (p.collectedAt > b.at) b.at = p.collectedAt;
      }
    }
  const ordered = [...buckets.values()].sort((a, b) => a.at.localeCompare(b.at));
  return {
    subject,
    hosts: [...histories.keys()],
    metrics: METRICS.map((m) =>
      metricOf(
        m,
        ordered.map((b) => ({
          at: b.at,
          value: maxOf(b.points.flatMap((p) => (m.value(p) === null ? [] : [m.value(p)!]))),
        })),
      ),
    ),
  };
}

import { z } from 'zod';
import type { Growth, GrowthMetric } from '../analyze/growth';
import { Crossing } from '../analyze/growth';
import { RestoreCalibration } from '../analyze/restore-calibration';
import { RuleRef } from '../analyze/rule-ref';
import { Severity } from '../analyze/thresholds';
import type { Warning, WarningsResult } from '../analyze/warnings';
import { Measurements } from '../analyze/warnings';
import { ShadowBound } from '../analyze/shadowing';
import { growthSample } from './fleet';
import { iptTableKey, nftTableKey } from './ruleset-index';
import { WarningBadges } from './warning-badges';

export { WarningBadges };

/**
 * The payloads of the warnings and growth view, of the fleet's warning badges and of the host
 * overview's warning list: the analyses' results (lib/analyze/warnings.ts, growth.ts) cut to what
 * a page shows, with the links it needs.
 */

/** The label that groups hosts into clusters. */
export const clusterLabel = 'cluster';

/** Projections need this many collection times, spread over at least `projectionMinSpanMs`. */
export const projectionMinCollections = 3;
export const projectionMinSpanMs = 86_400_000;

/** Points of one growth chart sent to the browser; rates and crossings use every collection. */
export const growthChartPointsMax = 200;

/** A rule a warning names, with the chains view's table key to link it (null: no such table in the view). */
export const RuleLink = RuleRef.extend({ tableKey: z.string().nullable() });
export type RuleLink = z.infer<typeof RuleLink>;

export const WarningView = z.object({
  id: z.string(),
  severity: Severity,
  subject: z.string(),
  measured: z.number(),
  threshold: z.number(),
  unit: z.string(),
  message: z.string(),
  reason: z.string(),
  action: z.string(),
  sources: z.array(z.object({ title: z.string(), url: z.string(), says: z.string() })),
  rules: z.array(RuleLink),
  /** Rules the analysis named beyond those listed. */
  more: z.number().int().nonnegative(),
});
export type WarningView = z.infer<typeof WarningView>;

/** The restore calibration the warnings used, and where it came from. */
export const CalibrationNote = z.object({
  calibration: RestoreCalibration,
  /** The file it was read from; null for packetlens' default. */
  file: z.string().nullable(),
  /** Why the file was not used although it exists (the default was used instead). */
  problem: z.string().nullable(),
});
export type CalibrationNote = z.infer<typeof CalibrationNote>;

export const HostAnalysis = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('analysed'),
    warnings: z.array(WarningView),
    measurements: Measurements,
    notChecked: z.array(z.string()),
    shadowingBounded: z.array(ShadowBound),
  }),
  z.object({ state: z.literal('failed'), message: z.string() }),
]);
export type HostAnalysis = z.infer<typeof HostAnalysis>;

export const GrowthSeries = z.object({
  metric: z.string(),
  /** What is drawn, in words. */
  label: z.string(),
  unit: z.string(),
  /** At most `growthChartPointsMax`, evenly sampled, first and last kept. */
  points: z.array(z.object({ at: z.string(), value: z.number() })),
  /** Collections with a value, before sampling. */
  collections: z.number().int().nonnegative(),
  latest: z.number().nullable(),
  perDay: z.number().nullable(),
  /** Every level of the metric's thresholds; `projectedAt` only when `projection` is `projected`. */
  crossings: z.array(Crossing),
  projection: z.discriminatedUnion('state', [
    z.object({ state: z.literal('projected') }),
    /** Too few collections, or too short a time, to project from. */
    z.object({ state: z.literal('too-few'), why: z.string() }),
    /** Not growing: nothing to project. */
    z.object({ state: z.literal('not-growing') }),
    /** Every level is crossed already, or the metric has none. */
    z.object({ state: z.literal('no-level'), why: z.string() }),
  ]),
});
export type GrowthSeries = z.infer<typeof GrowthSeries>;

export const GrowthView = z.object({
  /** The host, or `cluster=NAME`, or the hosts without a cluster label. */
  subject: z.string(),
  hosts: z.array(z.string()),
  /** For a group: the largest value among its hosts at each collection run. */
  group: z.boolean(),
  series: z.array(GrowthSeries),
});
export type GrowthView = z.infer<typeof GrowthView>;

/** A cluster: the hosts sharing a `cluster` label, or (name null) the hosts without one. */
export const ClusterRef = z.object({
  name: z.string().nullable(),
  scope: z.enum(['store', 'examples']),
  hosts: z.array(z.string()),
});
export type ClusterRef = z.infer<typeof ClusterRef>;

export const HostWarnings = z.object({
  host: z.string(),
  source: z.enum(['store', 'example']),
  collectedAt: z.string(),
  /** Null for an imported dump, which belongs to no cluster. */
  cluster: ClusterRef.nullable(),
  analysis: HostAnalysis,
  calibration: CalibrationNote,
  growth: GrowthView,
});
export type HostWarnings = z.infer<typeof HostWarnings>;

export const ClusterHost = z.object({
  name: z.string(),
  collectedAt: z.string().nullable(),
  badges: WarningBadges.nullable(),
});

export const ClusterWarnings = z.object({
  cluster: ClusterRef,
  hosts: z.array(ClusterHost),
  /** Every analysed host's warnings, the host named; rules are listed on each host's own view. */
  warnings: z.array(WarningView.omit({ rules: true }).extend({ host: z.string() })),
  calibration: CalibrationNote,
  growth: GrowthView,
});
export type ClusterWarnings = z.infer<typeof ClusterWarnings>;

/** The view's start page: every cluster with its hosts' badges. */
export const WarningsIndex = z.object({
  clusters: z.array(ClusterRef.extend({ members: z.array(ClusterHost) })),
});
export type WarningsIndex = z.infer<typeof WarningsIndex>;

/** The host overview's short list: what, how bad, the numbers; the full view has the rest. */
export const HostWarningsBrief = z.object({
  host: z.string(),
  badges: WarningBadges,
  warnings: z.array(
    WarningView.pick({
      id: true,
      severity: true,
      subject: true,
      measured: true,
      threshold: true,
      unit: true,
      message: true,
    }),
  ),
});
export type HostWarningsBrief = z.infer<typeof HostWarningsBrief>;

export function warningBadges(result: Pick<WarningsResult, 'warnings'>): WarningBadges {
  const count = (s: Severity) => result.warnings.filter((w) => w.severity === s).length;
  return { state: 'analysed', critical: count('critical'), warning: count('warning'), info: count('info') };
}

/** The chains view's key of the table a rule is in, when that table is in the view. */
export function ruleTableKey(rule: RuleRef, tableKeys: ReadonlySet<string>): string | null {
  const candidates =
    rule.source === 'nftables'
      ? [nftTableKey(rule.family, rule.table)]
      : [
          iptTableKey(rule.family, rule.table, rule.backend === 'legacy'),
          iptTableKey(rule.family, rule.table, false),
        ];
  return candidates.find((k) => tableKeys.has(k)) ?? null;
}

export function warningView(w: Warning, tableKeys: ReadonlySet<string>): WarningView {
  return { ...w, rules: w.rules.map((r) => ({ ...r, tableKey: ruleTableKey(r, tableKeys) })) };
}

export function hostAnalysis(result: WarningsResult, tableKeys: ReadonlySet<string>): HostAnalysis {
  return {
    state: 'analysed',
    warnings: result.warnings.map((w) => warningView(w, tableKeys)),
    measurements: result.measurements,
    notChecked: result.notChecked,
    shadowingBounded: result.shadowingBounded,
  };
}

export function hostWarningsBrief(host: string, result: WarningsResult): HostWarningsBrief {
  return {
    host,
    badges: warningBadges(result),
    warnings: result.warnings.map(({ id, severity, subject, measured, threshold, unit, message }) => ({
      id,
      severity,
      subject,
      measured,
      threshold,
      unit,
      message,
    })),
  };
}

const metricLabels: Record<GrowthMetric['metric'], string> = {
  rules: 'Rules',
  services: 'kube-proxy services',
  'longest-chain': 'Longest chain',
  'kube-services-rules': 'Rules in nat KUBE-SERVICES',
  'largest-table': 'Rules in the largest table',
  endpoints: 'kube-proxy endpoints',
};

/** The order the charts are drawn in: what the issue asks for first. */
const metricOrder: GrowthMetric['metric'][] = [
  'rules',
  'services',
  'longest-chain',
  'kube-services-rules',
  'largest-table',
  'endpoints',
];

function projectionOf(m: GrowthMetric): GrowthSeries['projection'] {
  const times = [...new Set(m.points.map((p) => Date.parse(p.at)))].sort((a, b) => a - b);
  const open = m.crossings.filter((c) => c.crossedAt === null);
  if (m.crossings.length === 0)
    return { state: 'no-level', why: 'packetlens has no sourced threshold for this measure' };
  if (open.length === 0) return { state: 'no-level', why: 'every threshold level is crossed already' };
  const span = times.length ? times[times.length - 1]! - times[0]! : 0;
  if (times.length < projectionMinCollections || span < projectionMinSpanMs)
    return {
      state: 'too-few',
      why: `${times.length === 1 ? 'one collection' : `${times.length} collections`} over ${spanText(span)}: a projection needs at least ${projectionMinCollections} collections over at least a day`,
    };
  if (m.perDay === null || m.perDay <= 0) return { state: 'not-growing' };
  return { state: 'projected' };
}

function spanText(ms: number): string {
  if (ms < 60_000) return 'under a minute';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} days`;
}

/** One chart per measure that has values, points sampled, projections only where they can be made. */
export function growthView(growth: Growth, group: boolean): GrowthView {
  const series = metricOrder
    .map((name) => growth.metrics.find((m) => m.metric === name)!)
    .filter((m) => m.latest !== null)
    .map((m): GrowthSeries => {
      const projection = projectionOf(m);
      return {
        metric: m.metric,
        label: group ? `${metricLabels[m.metric]} (largest host)` : metricLabels[m.metric],
        unit: m.unit,
        points: growthSample(m.points, growthChartPointsMax),
        collections: m.points.length,
        latest: m.latest,
        perDay: m.perDay,
        crossings:
          projection.state === 'projected'
            ? m.crossings
            : m.crossings.map((c) => ({ ...c, projectedAt: null, inDays: null })),
        projection,
      };
    });
  return { subject: growth.subject, hosts: growth.hosts, group, series };
}

/** The cluster a host belongs to, from its labels. */
export function clusterName(labels: Record<string, string>): string | null {
  return labels[clusterLabel] ?? null;
}

/** Hosts grouped by their cluster label (named clusters sorted, the unlabelled group last). */
export function clusterGroups<H extends { name: string; labels: Record<string, string> }>(
  hosts: readonly H[],
): { name: string | null; hosts: H[] }[] {
  const groups = new Map<string | null, H[]>();
  for (const h of hosts) {
    const name = clusterName(h.labels);
    const list = groups.get(name);
    if (list) list.push(h);
    else groups.set(name, [h]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([name, hs]) => ({ name, hosts: hs }));
}

/** All hosts' warnings of a cluster, worst first, then by host. */
export function clusterWarningList(
  analysed: readonly { host: string; result: WarningsResult }[],
): ClusterWarnings['warnings'] {
  const order: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
  return analysed
    .flatMap(({ host, result }) => result.warnings.map(({ rules: _rules, ...w }) => ({ ...w, host })))
    .sort((a, b) => order[a.severity] - order[b.severity] || a.host.localeCompare(b.host));
}

/** The view's address: a host, a cluster (name null: the hosts without a cluster label), or the start. */
export function warningsHref(
  target: { host: string } | { cluster: string | null; scope?: 'store' | 'examples' } | null = null,
): string {
  if (!target) return '/warnings';
  if ('host' in target) return `/warnings?host=${encodeURIComponent(target.host)}`;
  const scope = target.scope === 'examples' ? '&scope=examples' : '';
  return `/warnings?cluster=${encodeURIComponent(target.cluster ?? '')}${scope}`;
}

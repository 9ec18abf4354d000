import { z } from 'zod';
import type { Growth, GrowthMetric } from '../analyze/growth';
import { RuleRef } from '../analyze/rule-ref';
import type { Severity } from '../analyze/thresholds';
import type { Warning, WarningsResult } from '../analyze/warnings';
import { Measurements } from '../analyze/warnings';
import { ShadowBound } from '../analyze/shadowing';
import { growthSample } from './fleet';
import { iptTableKey, nftTableKey } from './ruleset-index';
import type { ClusterWarnings, GrowthSeries } from './warnings-schema';
import { CalibrationNote, ClusterRef, GrowthView, WarningBadges, WarningFields } from './warnings-schema';

export * from './warnings-schema';

/**
 * The payloads of the warnings and growth view, of the fleet's warning badges and of the host
 * overview's warning list: the analyses' results (lib/analyze/warnings.ts, growth.ts) cut to what
 * a page shows, with the links it needs. The schemas the browser checks are in warnings-schema.ts.
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

export const WarningView = WarningFields.extend({ rules: z.array(RuleLink) });
export type WarningView = z.infer<typeof WarningView>;

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

/** The host overview's short list: what, how bad, the numbers; the full view has the rest. */
export const HostWarningsBrief = z.object({
  host: z.string(),
  badges: WarningBadges,
  warnings: z.array(
    WarningFields.pick({
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

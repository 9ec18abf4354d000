import { z } from 'zod';
import { Crossing } from '../analyze/growth';
import { RestoreCalibration } from '../analyze/restore-calibration';
import { WarningFields } from '../analyze/warning-fields';

/**
 * The warnings payloads the browser validates (fleet badges, a cluster, the start page, growth),
 * apart from lib/views/warnings.ts so that the browser's bundle never carries the analyses.
 */

/** A host's warnings counted by severity, or why there are none to count yet. */
export const WarningBadges = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('analysed'),
    critical: z.number().int().nonnegative(),
    warning: z.number().int().nonnegative(),
    info: z.number().int().nonnegative(),
  }),
  /** The server has not analysed this host's latest snapshot yet (it does so in the background). */
  z.object({ state: z.literal('pending') }),
  /** The analysis failed on this snapshot: the reason, so the badge never invents a count. */
  z.object({ state: z.literal('failed'), message: z.string() }),
]);
export type WarningBadges = z.infer<typeof WarningBadges>;

/** A warning as the pages show it, without the rules it names. */
export { WarningFields };

/** The restore calibration the warnings used, and where it came from. */
export const CalibrationNote = z.object({
  calibration: RestoreCalibration,
  /** The file it was read from; null for packetlens' default. */
  file: z.string().nullable(),
  /** Why the file was not used although it exists (the default was used instead). */
  problem: z.string().nullable(),
});
export type CalibrationNote = z.infer<typeof CalibrationNote>;

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

export const ClusterHost = z.object({
  name: z.string(),
  collectedAt: z.string().nullable(),
  badges: WarningBadges.nullable(),
});

export const ClusterWarnings = z.object({
  cluster: ClusterRef,
  hosts: z.array(ClusterHost),
  /** Every analysed host's warnings, the host named; rules are listed on each host's own view. */
  warnings: z.array(WarningFields.extend({ host: z.string() })),
  calibration: CalibrationNote,
  growth: GrowthView,
});
export type ClusterWarnings = z.infer<typeof ClusterWarnings>;

/** The view's start page: every cluster with its hosts' badges. */
export const WarningsIndex = z.object({
  clusters: z.array(ClusterRef.extend({ members: z.array(ClusterHost) })),
});
export type WarningsIndex = z.infer<typeof WarningsIndex>;

/** The view's address: a host, a cluster (name null: the hosts without a cluster label), or the start. */
export function warningsHref(
  target: { host: string } | { cluster: string | null; scope?: 'store' | 'examples' } | null = null,
): string {
  if (!target) return '/warnings';
  if ('host' in target) return `/warnings?host=${encodeURIComponent(target.host)}`;
  const scope = target.scope === 'examples' ? '&scope=examples' : '';
  return `/warnings?cluster=${encodeURIComponent(target.cluster ?? '')}${scope}`;
}

import { z } from 'zod';

/**
 * How long `iptables-restore` takes for a rule set of a given size, on some machine: points
 * measured by `npm run bench:analyze` (bench/analyze.ts) and a power law fitted to them. Restore
 * time grows faster than linearly with the number of rules, so the fit is `seconds = c * rules^e`
 * (least squares on the logarithms). Without a measurement, the default below is used: the figures
 * shared/docs/SCALING.md records for this class of machine.
 */

export const RestorePoint = z.object({
  rules: z.number().int().positive(),
  /** Size of the restored text; null where the source gives none. */
  bytes: z.number().int().positive().nullable(),
  seconds: z.number().positive(),
});
export type RestorePoint = z.infer<typeof RestorePoint>;

export const RestoreCalibration = z.object({
  /** `measured` by bench:analyze, or packetlens' `default`. */
  origin: z.enum(['measured', 'default']),
  /** ISO 8601 time of the measurement; null for the default. */
  measuredAt: z.string().nullable(),
  /** The machine and tools the points come from, as the measurement described them. */
  machine: z.string(),
  /** What was timed, e.g. `iptables-restore of the whole dump into a namespace that holds it already`. */
  method: z.string(),
  points: z.array(RestorePoint).min(2),
  model: z.object({ coefficient: z.number().positive(), exponent: z.number().positive() }),
});
export type RestoreCalibration = z.infer<typeof RestoreCalibration>;

/** Least squares of log(seconds) on log(rules). */
export function restoreModelFit(points: readonly RestorePoint[]): RestoreCalibration['model'] {
  const xs = points.map((p) => Math.log(p.rules));
  const ys = points.map((p) => Math.log(p.seconds));
  const n = points.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const exponent = sxx === 0 ? 1 : sxy / sxx;
  return { coefficient: Math.exp(my - exponent * mx), exponent };
}

export function restoreSeconds(calibration: RestoreCalibration, rules: number): number {
  return rules <= 0 ? 0 : calibration.model.coefficient * rules ** calibration.model.exponent;
}

const defaultPoints: RestorePoint[] = [
  { rules: 32000, bytes: null, seconds: 0.6 },
  { rules: 320000, bytes: null, seconds: 15.3 },
];

/** SCALING.md: `iptables-restore` of kube-proxy rule sets (10 endpoints a service), 32k and 320k rules. */
export const defaultRestoreCalibration: RestoreCalibration = {
  origin: 'default',
  measuredAt: null,
  machine: '2 vCPU, kernel 6.18, iptables 1.8.9 (nf_tables), as recorded in shared/docs/SCALING.md',
  method: 'iptables-restore of a kube-proxy rule set (10 endpoints a service) into a network namespace',
  points: defaultPoints,
  model: restoreModelFit(defaultPoints),
};

import { z } from 'zod';
import { Severity, ThresholdSource } from './thresholds';

/**
 * A warning's own fields, without the rules it names: the pages' schemas take it from here so the
 * browser's bundle never carries the analyses (warnings.ts adds the rules).
 */
export const WarningFields = z.object({
  /** The threshold's id (thresholds.ts). */
  id: z.string(),
  severity: Severity,
  /** What the number is about: `host`, `ip/nat`, `ip/nat KUBE-SERVICES`, `ns/svc:p80`. */
  subject: z.string(),
  measured: z.number(),
  /** The level crossed (the measurement is above it). */
  threshold: z.number(),
  unit: z.string(),
  /** One line with the numbers. */
  message: z.string(),
  reason: z.string(),
  action: z.string(),
  sources: z.array(ThresholdSource),
  /** Rules named beyond those listed (at most 100 are). */
  more: z.number().int().nonnegative(),
});
export type WarningFields = z.infer<typeof WarningFields>;

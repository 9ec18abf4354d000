import { z } from 'zod';

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

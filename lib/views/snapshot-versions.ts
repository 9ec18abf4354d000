import { z } from 'zod';

/**
 * A host's history as the snapshots it went through: the store keeps one snapshot per distinct
 * content and one observation per collection, so a host collected every 5 minutes without change
 * has one version. Content that comes back (a rule added, then removed) is a version again.
 */

export const SnapshotVersion = z.object({
  snapshotId: z.number().int().positive(),
  /** First and last collection that found this content, in this stretch. */
  from: z.string(),
  to: z.string(),
  collections: z.number().int().positive(),
  rules: z.number().int().nonnegative(),
});
export type SnapshotVersion = z.infer<typeof SnapshotVersion>;

/** How many versions of a host the picker lists (the most recent). */
export const versionsShown = 100;

export function snapshotVersions(
  history: readonly { collectedAt: string; snapshotId: number; rulesTotal: number }[],
): SnapshotVersion[] {
  const out: SnapshotVersion[] = [];
  for (const p of history) {
    const last = out.at(-1);
    if (last && last.snapshotId === p.snapshotId) {
      last.to = p.collectedAt;
      last.collections++;
    } else
      out.push({
        snapshotId: p.snapshotId,
        from: p.collectedAt,
        to: p.collectedAt,
        collections: 1,
        rules: p.rulesTotal,
      });
  }
  return out;
}

export const DiffHost = z.object({
  name: z.string(),
  source: z.enum(['store', 'example']),
  /** Pods of the latest snapshot. */
  pods: z.array(z.string()),
  /** Newest first; at most `versionsShown`. */
  versions: z.array(SnapshotVersion),
  versionsTotal: z.number().int().nonnegative(),
});
export type DiffHost = z.infer<typeof DiffHost>;

export const DiffOptions = z.object({ hosts: z.array(DiffHost) });
export type DiffOptions = z.infer<typeof DiffOptions>;

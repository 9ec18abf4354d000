import { z } from 'zod';
import type { NftRuleset } from '../model/nftables';

/**
 * A trace line names only family, table and chain. Which hook a base chain is attached to, and at
 * which priority, is in the namespace's ruleset (`nft -j list ruleset`), read while the trace ran.
 */
export const BaseChain = z.object({
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  hook: z.string(),
  priority: z.number().int(),
  /** `filter`, `nat` or `route`. */
  type: z.string(),
});
export type BaseChain = z.infer<typeof BaseChain>;

/** Base chains per network namespace name. */
export type BaseChainIndex = Readonly<Record<string, readonly BaseChain[]>>;

export function baseChainsOf(ruleset: NftRuleset): BaseChain[] {
  return ruleset.tables.flatMap((t) =>
    t.chains.flatMap((c) =>
      c.base
        ? [
            {
              family: t.family,
              table: t.name,
              chain: c.name,
              hook: c.base.hook,
              priority: c.base.priority,
              type: c.base.type,
            },
          ]
        : [],
    ),
  );
}

export function baseChainFind(
  index: BaseChainIndex,
  netns: string,
  family: string,
  table: string,
  chain: string,
): BaseChain | null {
  return index[netns]?.find((c) => c.family === family && c.table === table && c.chain === chain) ?? null;
}

import { z } from 'zod';

// Placeholder until the nft model lands: the ruleset of `nft -j list ruleset`.
export const NftRuleset = z.object({ tables: z.array(z.unknown()) });
export type NftRuleset = z.infer<typeof NftRuleset>;

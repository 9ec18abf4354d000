import { z } from 'zod';
import type { IptablesDump, IptChain, IptRule, IptTable } from '../model/iptables';
import type { NftChain, NftRule, NftTable } from '../model/nftables';
import { nftRuleText } from '../nftables/render-text';

/**
 * Where a rule is, exactly as the snapshot has it: every analysis result points at rules this way,
 * with the rule's own text, so a reader can find it in `iptables-save` or `nft -a list ruleset`.
 */
export const RuleRef = z.object({
  /** `iptables`: an iptables-save dump (either backend); `nftables`: a native nft table. */
  source: z.enum(['iptables', 'nftables']),
  /** `ip` / `ip6` for iptables; the nft table's family (`ip`, `ip6`, `inet`, ...) for nft. */
  family: z.string(),
  /** The iptables backend the dump came from; null for native nft tables. */
  backend: z.enum(['nft', 'legacy', 'unknown']).nullable(),
  table: z.string(),
  chain: z.string(),
  /** 1-based position in the chain (`iptables -L --line-numbers`, or the nft rule's order). */
  index: z.number().int().positive(),
  /** Line of the dump the rule was read from (iptables); null for nft. */
  line: z.number().int().positive().nullable(),
  /** The kernel's rule handle (nft); null for iptables. */
  handle: z.number().int().nullable(),
  /** The rule exactly as the dump wrote it (iptables), or as `nft list ruleset` prints it. */
  text: z.string(),
});
export type RuleRef = z.infer<typeof RuleRef>;

export function iptRuleRef(dump: IptablesDump, table: IptTable, chain: IptChain, rule: IptRule): RuleRef {
  return {
    source: 'iptables',
    family: dump.family,
    backend: dump.backend,
    table: table.name,
    chain: chain.name,
    index: rule.index,
    line: rule.line,
    handle: null,
    text: rule.text,
  };
}

export function nftRuleRef(table: NftTable, chain: NftChain, rule: NftRule): RuleRef {
  return {
    source: 'nftables',
    family: table.family,
    backend: null,
    table: table.name,
    chain: chain.name,
    index: rule.index,
    line: null,
    handle: rule.handle,
    text: nftRuleText(table, rule),
  };
}

/** `ip/nat KUBE-SERVICES #3 (line 47)` or `inet/kube-proxy services #1 (handle 12)`, for messages. */
export function ruleRefLabel(r: RuleRef): string {
  const backend = r.backend === 'legacy' ? '@legacy' : '';
  const where = r.line !== null ? `line ${r.line}` : `handle ${r.handle}`;
  return `${r.family}/${r.table}${backend} ${r.chain} #${r.index} (${where})`;
}

/** What an nft rule says, counters aside: equal on two hosts (or two snapshots) holding the same rule. */
export function nftRuleKey(rule: NftRule): string {
  return JSON.stringify(rule.stmts, (k, v: unknown) => (k === 'packets' || k === 'bytes' ? undefined : v));
}

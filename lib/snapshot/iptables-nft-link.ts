import type { NetfilterState } from '../model/snapshot';
import type { Diagnostic } from '../model/snapshot';

/**
 * iptables-nft stores its rules as nft tables named like the iptables tables (`ip filter`,
 * `ip6 nat`, ...), so `nft -j list ruleset` shows them a second time. This marks those tables as
 * managed by iptables-nft, so that they are counted once, and checks that both views hold the same
 * rules chain by chain (the nft rule at position i is the iptables rule at position i).
 */
export function linkIptablesNft(netfilter: NetfilterState): Diagnostic[] {
  const ruleset = netfilter.nftables;
  if (!ruleset) return [];
  const out: Diagnostic[] = [];
  for (const table of ruleset.tables) {
    if (table.family !== 'ip' && table.family !== 'ip6') continue;
    const dump = netfilter.iptables.find((d) => d.family === table.family && d.backend !== 'legacy');
    const ipt = dump?.tables.find((t) => t.name === table.name);
    if (!ipt) continue;
    table.managedBy = 'iptables-nft';
    // By name: kube-proxy tables hold thousands of chains, and a search per chain is quadratic.
    const nftRulesByChain = new Map(table.chains.map((c) => [c.name, c.rules.length]));
    for (const chain of ipt.chains) {
      const nftRules = nftRulesByChain.get(chain.name) ?? 0;
      if (nftRules !== chain.rules.length) {
        out.push({
          severity: 'warning',
          message: `${table.family} ${table.name} chain ${chain.name}: iptables-save shows ${chain.rules.length} rules, nft -j shows ${nftRules}; the two outputs were not taken at the same time`,
          origin: null,
          line: null,
        });
      }
    }
  }
  return out;
}

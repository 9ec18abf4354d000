import type { Snapshot } from '../model/snapshot';

export interface ChainSize {
  /** `ip`, `ip6`, or for native nft tables their family (`inet`, `bridge`, ...). */
  family: string;
  table: string;
  chain: string;
  rules: number;
}

export interface SnapshotStats {
  rules: {
    /** Each rule once, also when iptables-nft shows it in both the iptables and the nft view. */
    total: number;
    /** Keyed `family/table`, e.g. `ip/nat`, `inet/kube-proxy`; legacy tables of a host that also has nft ones are `family/table@legacy`. */
    byTable: Record<string, number>;
    byChain: Record<string, number>;
  };
  chains: number;
  longestChain: ChainSize | null;
}

/** Rule and chain counts of one snapshot (its own namespace, not its pods). */
export function snapshotStats(snap: Snapshot): SnapshotStats {
  const byTable: Record<string, number> = {};
  const byChain: Record<string, number> = {};
  let total = 0;
  let chains = 0;
  let longest: ChainSize | null = null;
  const count = (family: string, tableKey: string, table: string, chain: string, rules: number) => {
    byTable[tableKey] = (byTable[tableKey] ?? 0) + rules;
    byChain[`${tableKey}/${chain}`] = rules;
    total += rules;
    chains++;
    if (!longest || rules > longest.rules) longest = { family, table, chain, rules };
  };

  const dumps = snap.netfilter.iptables;
  for (const dump of dumps) {
    const suffix =
      dump.backend === 'legacy' && dumps.some((d) => d.family === dump.family && d !== dump) ? '@legacy' : '';
    for (const table of dump.tables) {
      byTable[`${dump.family}/${table.name}${suffix}`] ??= 0;
      for (const chain of table.chains)
        count(
          dump.family,
          `${dump.family}/${table.name}${suffix}`,
          table.name,
          chain.name,
          chain.rules.length,
        );
    }
  }
  for (const table of snap.netfilter.nftables?.tables ?? []) {
    if (table.managedBy === 'iptables-nft') continue;
    const key = `${table.family}/${table.name}`;
    byTable[key] ??= 0;
    for (const chain of table.chains) count(table.family, key, table.name, chain.name, chain.rules.length);
  }
  return { rules: { total, byTable, byChain }, chains, longestChain: longest };
}

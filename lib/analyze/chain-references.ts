import { z } from 'zod';
import { builtinChains } from '../iptables/modules-index';
import type { NftExpr, NftTable } from '../model/nftables';
import type { Snapshot } from '../model/snapshot';
import { iptRuleRef, nftRuleRef, RuleRef } from './rule-ref';

/**
 * Who jumps where: user chains no rule jumps or goes to (and no verdict map names), and rules that
 * jump to a chain without rules. kube-proxy's own hashed chains are told apart, since a left-over
 * KUBE-SEP chain is stale state rather than a missing jump.
 */

export const ChainRef = z.object({
  source: z.enum(['iptables', 'nftables']),
  family: z.string(),
  backend: z.enum(['nft', 'legacy', 'unknown']).nullable(),
  table: z.string(),
  chain: z.string(),
  rules: z.number().int().nonnegative(),
});
export type ChainRef = z.infer<typeof ChainRef>;

export const ChainReferences = z.object({
  unreferenced: z.array(ChainRef),
  /** Rules whose jump or goto leads to a chain without rules. */
  emptyJumps: z.array(z.object({ rule: RuleRef, chain: z.string() })),
});
export type ChainReferences = z.infer<typeof ChainReferences>;

/** kube-proxy's per-service and per-endpoint chains (hash-named), in either mode. */
export function kubeHashedChain(name: string): boolean {
  return (
    /^KUBE-(SVC|SVL|EXT|FW|SEP|XLB)-[A-Z0-9]{16}$/.test(name) ||
    /^(service|external|endpoint|firewall|cluster|local)-[A-Z0-9]{8}-/.test(name)
  );
}

function verdictTargets(e: NftExpr, out: Set<string>): void {
  switch (e.kind) {
    case 'verdict':
      if (e.target) out.add(e.target);
      return;
    case 'mapping':
      verdictTargets(e.value, out);
      return;
    case 'elem':
      verdictTargets(e.value, out);
      return;
    case 'set':
      for (const x of e.elements) verdictTargets(x, out);
      return;
    default:
      return;
  }
}

function nftReferences(table: NftTable, out: ChainReferences): void {
  const named = new Set<string>();
  for (const set of table.sets) for (const e of set.elements) verdictTargets(e, named);
  for (const chain of table.chains)
    for (const rule of chain.rules)
      for (const s of rule.stmts) {
        if (s.kind === 'verdict' && s.target) named.add(s.target);
        if (s.kind === 'vmap') verdictTargets(s.data, named);
      }
  const sizes = new Map(table.chains.map((c) => [c.name, c.rules.length]));
  for (const chain of table.chains) {
    if (chain.base === null && !named.has(chain.name))
      out.unreferenced.push({
        source: 'nftables',
        family: table.family,
        backend: null,
        table: table.name,
        chain: chain.name,
        rules: chain.rules.length,
      });
    for (const rule of chain.rules)
      for (const s of rule.stmts)
        if (
          s.kind === 'verdict' &&
          (s.verdict === 'jump' || s.verdict === 'goto') &&
          sizes.get(s.target ?? '') === 0
        )
          out.emptyJumps.push({ rule: nftRuleRef(table, chain, rule), chain: s.target! });
  }
}

export function chainReferences(snapshot: Snapshot): ChainReferences {
  const out: ChainReferences = { unreferenced: [], emptyJumps: [] };
  for (const dump of snapshot.netfilter.iptables)
    for (const table of dump.tables) {
      const builtin = new Set(builtinChains[table.name] ?? []);
      const sizes = new Map(table.chains.map((c) => [c.name, c.rules.length]));
      const referenced = new Set<string>();
      for (const chain of table.chains)
        for (const rule of chain.rules) {
          if (!rule.target || !('chain' in rule.target)) continue;
          referenced.add(rule.target.name);
          if (sizes.get(rule.target.name) === 0)
            out.emptyJumps.push({ rule: iptRuleRef(dump, table, chain, rule), chain: rule.target.name });
        }
      for (const chain of table.chains)
        if (!builtin.has(chain.name) && !referenced.has(chain.name))
          out.unreferenced.push({
            source: 'iptables',
            family: dump.family,
            backend: dump.backend,
            table: table.name,
            chain: chain.name,
            rules: chain.rules.length,
          });
    }
  for (const table of snapshot.netfilter.nftables?.tables ?? [])
    if (table.managedBy === null) nftReferences(table, out);
  return out;
}

import { z } from 'zod';
import type { Snapshot } from '../model/snapshot';
import { RuleRef, iptRuleRef, nftRuleKey, nftRuleRef } from './rule-ref';

/**
 * Drift across hosts that should be alike (they share a label such as `cluster=prod`): the rules
 * only some of them hold, and the chains only some of them have. A rule is the same on two hosts
 * when its table, chain and text are (counters aside); a rule held twice in a chain counts twice.
 */

export const DriftRule = z.object({
  /** `iptables ip nat`, `iptables ip@legacy filter`, `nftables inet fw`. */
  table: z.string(),
  chain: z.string(),
  /** The rule on the first host that holds it. */
  rule: RuleRef,
  heldBy: z.array(z.string()),
  missingOn: z.array(z.string()),
});
export type DriftRule = z.infer<typeof DriftRule>;

export const DriftChain = z.object({
  table: z.string(),
  chain: z.string(),
  heldBy: z.array(z.string()),
  missingOn: z.array(z.string()),
});

export const DriftResult = z.object({
  hosts: z.array(z.string()),
  /** Rules compared (distinct over all hosts). */
  rulesCompared: z.number().int().nonnegative(),
  /** At most 10,000 rules; `moreRules` counts the rest. */
  rules: z.array(DriftRule),
  moreRules: z.number().int().nonnegative(),
  chains: z.array(DriftChain),
});
export type DriftResult = z.infer<typeof DriftResult>;

const MAX_RULES = 10000;

interface Held {
  hosts: Set<string>;
  table: string;
  chain: string;
  ref: () => RuleRef;
}

/** Each rule of a snapshot under a key that is the same on every host holding the same rule. */
function visitRules(
  s: Snapshot,
  visit: (table: string, chain: string, key: string, ref: () => RuleRef) => void,
): void {
  const dumps = s.netfilter.iptables;
  for (const dump of dumps) {
    const legacy = dump.backend === 'legacy' && dumps.some((d) => d !== dump && d.family === dump.family);
    for (const table of dump.tables) {
      const t = `iptables ${dump.family}${legacy ? '@legacy' : ''} ${table.name}`;
      for (const chain of table.chains) {
        const seen = new Map<string, number>();
        for (const rule of chain.rules) {
          const n = (seen.get(rule.text) ?? 0) + 1;
          seen.set(rule.text, n);
          visit(t, chain.name, `${rule.text}\u0000${n}`, () => iptRuleRef(dump, table, chain, rule));
        }
      }
    }
  }
  for (const table of s.netfilter.nftables?.tables ?? []) {
    if (table.managedBy !== null) continue;
    const t = `nftables ${table.family} ${table.name}`;
    for (const chain of table.chains) {
      const seen = new Map<string, number>();
      for (const rule of chain.rules) {
        const k = nftRuleKey(rule);
        const n = (seen.get(k) ?? 0) + 1;
        seen.set(k, n);
        visit(t, chain.name, `${k}\u0000${n}`, () => nftRuleRef(table, chain, rule));
      }
    }
  }
}

function chainsOf(s: Snapshot): string[] {
  const out: string[] = [];
  for (const dump of s.netfilter.iptables) {
    const legacy =
      dump.backend === 'legacy' && s.netfilter.iptables.some((d) => d !== dump && d.family === dump.family);
    for (const table of dump.tables)
      for (const chain of table.chains)
        out.push(`iptables ${dump.family}${legacy ? '@legacy' : ''} ${table.name}\u0000${chain.name}`);
  }
  for (const table of s.netfilter.nftables?.tables ?? [])
    if (table.managedBy === null)
      for (const chain of table.chains) out.push(`nftables ${table.family} ${table.name}\u0000${chain.name}`);
  return out;
}

export function snapshotsDrift(snapshots: readonly Snapshot[]): DriftResult {
  const hosts = snapshots.map((s) => s.host.name);
  const held = new Map<string, Held>();
  for (const s of snapshots)
    visitRules(s, (table, chain, key, ref) => {
      const k = `${table}\u0000${chain}\u0000${key}`;
      const h = held.get(k);
      if (h) h.hosts.add(s.host.name);
      else held.set(k, { hosts: new Set([s.host.name]), table, chain, ref });
    });
  const rules: DriftRule[] = [];
  let more = 0;
  for (const h of held.values()) {
    if (h.hosts.size === hosts.length) continue;
    if (rules.length >= MAX_RULES) {
      more++;
      continue;
    }
    rules.push({
      table: h.table,
      chain: h.chain,
      rule: h.ref(),
      heldBy: hosts.filter((x) => h.hosts.has(x)),
      missingOn: hosts.filter((x) => !h.hosts.has(x)),
    });
  }
  const chainHosts = new Map<string, Set<string>>();
  for (const s of snapshots)
    for (const c of chainsOf(s)) {
      const set = chainHosts.get(c);
      if (set) set.add(s.host.name);
      else chainHosts.set(c, new Set([s.host.name]));
    }
  const chains = [...chainHosts]
    .filter(([, set]) => set.size !== hosts.length)
    .map(([key, set]) => {
      const [table, chain] = key.split('\u0000') as [string, string];
      return {
        table,
        chain,
        heldBy: hosts.filter((x) => set.has(x)),
        missingOn: hosts.filter((x) => !set.has(x)),
      };
    });
  return { hosts, rulesCompared: held.size, rules, moreRules: more, chains };
}

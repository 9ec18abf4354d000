import type { IptChain, IptRule, IptTable } from '../model/iptables';

/**
 * A table's MARK rules, and the rules that send packets to each chain holding one: what SNAT flows
 * need to say where the marks they depend on come from. One pass over the table, which on a large
 * node is most of the work: a chain's own rules are read before it counts jumps, so jumps from
 * chains after it are counted as the pass meets them, and only the chains before it are read again.
 */

export interface MarkRule {
  chain: IptChain;
  rule: IptRule;
}

export interface JumpsTo {
  /** Rules of the table that jump or go to the chain. */
  count: number;
  /** The first few of them, in the table's order. */
  first: MarkRule[];
}

export interface MarkScan {
  /** The table's MARK rules, in the table's order. */
  marks: MarkRule[];
  /** Jumps to each chain that holds a MARK rule, by chain name. */
  jumps: ReadonlyMap<string, JumpsTo>;
}

function record(into: JumpsTo, chain: IptChain, rule: IptRule, keep: number): void {
  into.count++;
  if (into.first.length < keep) into.first.push({ chain, rule });
}

function countJumps(chain: IptChain, to: string, into: JumpsTo, keep: number): void {
  const rules = chain.rules;
  for (let j = 0; j < rules.length; j++) {
    const t = rules[j]!.target;
    if (t?.name === to && 'chain' in t) record(into, chain, rules[j]!, keep);
  }
}

/** `keep`: how many of the jumps to each chain to list. */
export function iptMarkScan(table: IptTable, keep: number): MarkScan {
  const marks: MarkRule[] = [];
  const jumps = new Map<string, JumpsTo>();
  const chains = table.chains;
  // Indexed loops, and the target's name compared before its shape: this runs once over every rule
  // of the node, too seldom for the JIT to optimize, and most names differ at once in length.
  for (let i = 0; i < chains.length; i++) {
    const chain = chains[i]!;
    const rules = chain.rules;
    let holds = false;
    for (let j = 0; j < rules.length; j++) {
      const t = rules[j]!.target;
      if (t?.name === 'MARK' && 'options' in t) {
        marks.push({ chain, rule: rules[j]! });
        holds = true;
      }
    }
    if (holds && !jumps.has(chain.name)) {
      const into: JumpsTo = { count: 0, first: [] };
      for (let k = 0; k < i; k++) countJumps(chains[k]!, chain.name, into, keep);
      jumps.set(chain.name, into);
    }
    if (jumps.size === 0) continue;
    for (let j = 0; j < rules.length; j++) {
      const t = rules[j]!.target;
      const into = t && 'chain' in t ? jumps.get(t.name) : undefined;
      if (into) record(into, chain, rules[j]!, keep);
    }
  }
  return { marks, jumps };
}

import type { IptablesDump, IptChain, IptRule, IptTable } from '../model/iptables';

/**
 * One iptables table with its chains by name and what each rule's target does to the packet's way
 * through the table: the lookups every analysis of a dump needs, built once.
 */

/**
 * `final`: ends the packet's traversal of this table (ACCEPT, DROP, REJECT, QUEUE, the NAT targets,
 * TPROXY). `return`: back to the calling chain. `call` / `goto`: into a user chain. `continue`: the
 * next rule follows (MARK, LOG, CT, ... or no target). `unknown`: a target packetlens does not know.
 */
export type TargetEffect = 'final' | 'return' | 'call' | 'goto' | 'continue' | 'unknown';

const FINAL_TARGETS = new Set([
  'ACCEPT',
  'DROP',
  'REJECT',
  'QUEUE',
  'DNAT',
  'SNAT',
  'MASQUERADE',
  'REDIRECT',
  'TPROXY',
]);

export function iptTargetEffect(rule: IptRule): TargetEffect {
  const t = rule.target;
  if (t === null) return 'continue';
  if ('chain' in t) return rule.goto ? 'goto' : 'call';
  if ('args' in t) return 'unknown';
  if (t.name === 'RETURN') return 'return';
  if (FINAL_TARGETS.has(t.name)) return 'final';
  return 'continue';
}

export interface IptTableIndex {
  dump: IptablesDump;
  table: IptTable;
  chains: ReadonlyMap<string, IptChain>;
  /** The chain a rule's target jumps or goes to, when it is a user chain of this table. */
  targetChain(rule: IptRule): IptChain | undefined;
  /** Every packet entering the chain gets a final verdict in it (or in chains it calls). */
  chainAlwaysDecides(chain: IptChain): boolean;
  /** Names of the chains some rule jumps or goes to. */
  referenced(): ReadonlySet<string>;
}

/** The rule's `-m comment --comment` text, or null. */
export function iptRuleComment(rule: IptRule): string | null {
  for (const m of rule.matches)
    if (m.name === 'comment' && 'options' in m) return m.options.comment?.value ?? null;
  return null;
}

/** A per-chain property computed once; `recurse` asks it of a called chain. */
function memoPerChain(
  compute: (chain: IptChain, recurse: (chain: IptChain) => boolean) => boolean,
): (chain: IptChain) => boolean {
  const memo = new Map<IptChain, boolean>();
  // Chains cannot loop (the kernel refuses loops); `visiting` only guards a malformed dump.
  const visiting = new Set<IptChain>();
  const get = (chain: IptChain): boolean => {
    const known = memo.get(chain);
    if (known !== undefined) return known;
    if (visiting.has(chain)) return false;
    visiting.add(chain);
    const result = compute(chain, get);
    visiting.delete(chain);
    memo.set(chain, result);
    return result;
  };
  return get;
}

/** Built per analysis (not cached on the snapshot): each analysis pays for what it uses. */
export function iptTableIndex(dump: IptablesDump, table: IptTable): IptTableIndex {
  // Made when first asked: flows find chains through IptEval's own map.
  let chainsMemo: Map<string, IptChain> | undefined;
  const chainsByName = () => (chainsMemo ??= new Map(table.chains.map((c) => [c.name, c])));
  const targetChain = (rule: IptRule) =>
    rule.target && 'chain' in rule.target ? chainsByName().get(rule.target.name) : undefined;

  const chainAlwaysDecides = memoPerChain((chain, recurse) => {
    for (const rule of chain.rules) {
      const effect = iptTargetEffect(rule);
      // A RETURN or goto before the deciding rule lets some packets leave undecided.
      if (effect === 'return' || effect === 'goto' || effect === 'unknown') return false;
      const unconditional = rule.matches.every((m) => m.name === 'comment') && !hasBaseConditions(rule);
      if (!unconditional) continue;
      if (effect === 'final') return true;
      if (effect === 'call') {
        const target = targetChain(rule);
        if (target !== undefined && recurse(target)) return true;
      }
    }
    return false;
  });
  let referencedMemo: Set<string> | undefined;
  function referenced(): ReadonlySet<string> {
    if (!referencedMemo) {
      referencedMemo = new Set();
      for (const chain of table.chains)
        for (const rule of chain.rules)
          if (rule.target && 'chain' in rule.target) referencedMemo.add(rule.target.name);
    }
    return referencedMemo;
  }
  const index: IptTableIndex = {
    dump,
    table,
    get chains() {
      return chainsByName();
    },
    targetChain,
    chainAlwaysDecides,
    referenced,
  };
  return index;
}

function hasBaseConditions(rule: IptRule): boolean {
  return Boolean(rule.src || rule.dst || rule.inIface || rule.outIface || rule.proto || rule.fragment);
}

/** Whether a rule stops packets it matches from reaching later rules of its chain. */
export function iptRuleEndsChain(index: IptTableIndex, rule: IptRule): boolean {
  const effect = iptTargetEffect(rule);
  if (effect === 'final' || effect === 'return' || effect === 'goto') return true;
  if (effect === 'call') {
    const target = index.targetChain(rule);
    return target !== undefined && index.chainAlwaysDecides(target);
  }
  return false;
}

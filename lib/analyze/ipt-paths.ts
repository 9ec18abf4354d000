import type { IptChain, IptRule } from '../model/iptables';
import type { Atom } from './atoms';
import type { IptEval } from './ipt-eval';
import { builtinChains } from '../iptables/modules-index';

/**
 * Paths through an iptables table from where packets enter it to the rules an analysis looks for
 * (DNAT, SNAT): memoized per chain, so a chain reached from many places is walked once.
 */

export interface RuleLoc {
  chain: IptChain;
  rule: IptRule;
}

export interface FoundPath {
  /** The rule found, and the rules that lead to it from the chain the walk started in (inclusive). */
  target: RuleLoc;
  path: RuleLoc[];
}

/**
 * Where walks of a table start: its built-in chains of the given hooks. A dump without any rule in
 * them (a restore payload such as kube-proxy's, which leaves its built-in jumps out) is read from
 * its user chains that nothing jumps to instead; in a full dump those are never reached by a packet.
 */
export function iptRoots(ev: IptEval, hooks: readonly string[]): { chain: IptChain; builtin: boolean }[] {
  const out: { chain: IptChain; builtin: boolean }[] = [];
  for (const name of hooks) {
    const chain = ev.chainNamed(name)?.chain;
    if (chain?.rules.length) out.push({ chain, builtin: true });
  }
  if (out.length) return out;
  const referenced = ev.index.referenced();
  const builtin = new Set(builtinChains[ev.table.name] ?? []);
  for (const chain of ev.table.chains)
    if (!builtin.has(chain.name) && !referenced.has(chain.name)) out.push({ chain, builtin: false });
  return out;
}

/**
 * Every path from `chain` to a rule `wanted` accepts, through jumps and gotos. Each path is found
 * once per way through the chain graph; memoized per chain.
 */
export function iptPathsFinder(ev: IptEval, wanted: (rule: IptRule) => boolean) {
  const memo = new Map<IptChain, FoundPath[]>();
  const visiting = new Set<IptChain>();
  function paths(chain: IptChain): FoundPath[] {
    const known = memo.get(chain);
    if (known) return known;
    if (visiting.has(chain)) return [];
    visiting.add(chain);
    const out: FoundPath[] = [];
    for (const loc of ev.chain(chain).rules) {
      if (wanted(loc.rule)) out.push({ target: loc, path: [loc] });
      else if (loc.target)
        for (const p of paths(loc.target.chain)) out.push({ target: p.target, path: [loc, ...p.path] });
    }
    visiting.delete(chain);
    memo.set(chain, out);
    return out;
  }
  return paths;
}

/** Atoms every path agrees on (the same atom, or one with the same text), in the first path's order. */
export function commonAtoms(paths: readonly (readonly Atom[])[]): Atom[] {
  const [first, ...rest] = paths;
  if (!first) return [];
  let texts: Set<string>[] | null = null;
  return first.filter((a) =>
    rest.every((atoms, i) => {
      if (atoms.includes(a)) return true;
      // Only when identity does not settle it: reading `text` may print the match.
      texts ??= rest.map((xs) => new Set(xs.map((x) => x.text)));
      return texts[i]!.has(a.text);
    }),
  );
}

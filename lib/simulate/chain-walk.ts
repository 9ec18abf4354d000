import type { Branch, StepTag } from './branch';
import { branchFork, branchView, stepAdd } from './branch';
import type { Packet } from './packet';
import type { StepRule } from './result';
import type { Effect } from './verdict-types';

/**
 * The chain walk both rule languages share: rules in order, jump/goto/return, forks at random
 * choices, and steps for every rule that matched. iptables and nft plug in through RuleSet.
 */

export type RuleOutcome =
  | { p: number; choice: string | null; matched: false }
  | {
      p: number;
      choice: string | null;
      matched: true;
      effect: Effect;
      verdict: string;
      note: string | null;
      mutate: ((pkt: Packet) => void) | null;
    }
  | { p: number; choice: string | null; undecided: string };

export interface RuleSet<R, C> {
  /** Netfilter table name as steps show it. */
  table: string;
  /** ip, ip6 or inet. */
  family: string;
  /** The chain called `name`; null when the table has none. */
  chain(name: string): C | null;
  /** The chain `rule` of `from` jumps or goes to (what `chain(name)` finds, looked up once per rule). */
  target(from: C, rule: R, name: string): C | null;
  /** The rules of the chain that can match this packet, in order (all of them for a naive walk). */
  candidates(chain: C, pkt: Packet): readonly R[];
  /** What `rule` of `chain` does with the packet. */
  evaluate(chain: C, rule: R, b: Branch): RuleOutcome[];
  step(chain: C, rule: R): StepRule;
}

/** One walk of a base chain's rules: the rule set, the hook, and what its steps are tagged with. */
export interface ChainWalk<R, C> {
  rs: RuleSet<R, C>;
  hook: string;
  tag: StepTag | null;
}

export interface ChainEnd {
  fate: 'return' | 'accept' | 'drop' | 'reject' | 'undecided';
  branch: Branch;
  /** What decided: the verdict text of the rule, or the undecided reason. */
  reason: string;
}

const maxDepth = 100;

/** Walks the base chain `name` (null `chain`: the table does not have it). */
export function chainWalk<R, C>(w: ChainWalk<R, C>, name: string, chain: C | null, b: Branch): ChainEnd[] {
  const out: ChainEnd[] = [];
  const at = chainEnter(w, name, chain, b, 0, null, out);
  if (at) walkFrom(w, at, b, out);
  return out;
}

/** A chain being walked: its name, handle, and the rules this packet is offered. */
interface Walking<R, C> {
  name: string;
  chain: C;
  rules: readonly R[];
}

/** A place in the walk: rule `next` of `at`, and where that chain returns to (`up`). */
interface Caller<R, C> {
  at: Walking<R, C>;
  next: number;
  depth: number;
  up: Caller<R, C> | null;
}

/**
 * Where a branch entering a chain goes on: its first rule, or null when the branch ended there
 * (appended to `out`). A branch that returns goes on in `up`, at once: ends come out in the order
 * the kernel would reach them.
 */
function chainEnter<R, C>(
  w: ChainWalk<R, C>,
  name: string,
  chain: C | null,
  b: Branch,
  depth: number,
  up: Caller<R, C> | null,
  out: ChainEnd[],
): Caller<R, C> | null {
  if (depth > maxDepth) {
    out.push({ fate: 'undecided', branch: b, reason: `more than ${maxDepth} nested jumps` });
    return null;
  }
  const rs = w.rs;
  if (chain === null) {
    stepAdd(b, {
      kind: 'undecided',
      hook: w.hook,
      family: rs.family,
      table: rs.table,
      chain: name,
      rule: null,
      verdict: 'missing chain',
      tag: w.tag,
    });
    out.push({ fate: 'undecided', branch: b, reason: `chain ${name} is not in the ${rs.table} table` });
    return null;
  }
  return { at: { name, chain, rules: rs.candidates(chain, b.pkt) }, next: 0, depth, up };
}

/** The branch returns from the chain it is in: on in the caller, or out of the base chain (null). */
function returned<R, C>(
  b: Branch,
  up: Caller<R, C> | null,
  reason: string,
  out: ChainEnd[],
): Caller<R, C> | null {
  if (!up) out.push({ fate: 'return', branch: b, reason });
  return up;
}

/**
 * Walks on from `start` until the branch ends. Where one branch goes on (the next rule, a called
 * chain, the caller after a return) the loop takes it rather than a call: a path through thousands
 * of jumps must not grow the stack. Only forks recurse.
 */
function walkFrom<R, C>(w: ChainWalk<R, C>, start: Caller<R, C>, b: Branch, out: ChainEnd[]): void {
  const rs = w.rs;
  let pos: Caller<R, C> | null = start;
  walk: while (pos) {
    const { at, depth, up }: Caller<R, C> = pos;
    const rules = at.rules;
    for (let i: number = pos.next; i < rules.length; i++) {
      const rule = rules[i]!;
      const outcomes = rs.evaluate(at.chain, rule, b);
      const single = outcomes.length === 1;
      if (single && 'matched' in outcomes[0]! && !outcomes[0].matched) continue;
      for (const o of outcomes) {
        if (o.p <= 0) continue;
        const fork = single ? b : branchFork(b, o.p, o.choice);
        if (single && o.choice) fork.choices.push(o.choice);
        if ('undecided' in o) {
          stepAdd(fork, {
            kind: 'undecided',
            hook: w.hook,
            family: rs.family,
            table: rs.table,
            chain: at.name,
            rule: rs.step(at.chain, rule),
            verdict: 'undecided',
            note: o.undecided,
            tag: w.tag,
          });
          out.push({ fate: 'undecided', branch: fork, reason: o.undecided });
          continue;
        }
        let next: Caller<R, C> | null;
        if (!o.matched) next = { at, next: i + 1, depth, up };
        else {
          const before = branchView(fork);
          o.mutate?.(fork.pkt);
          const effect = o.effect;
          const undecided = effect.type === 'undecided';
          stepAdd(
            fork,
            {
              kind: undecided ? 'undecided' : 'rule',
              hook: w.hook,
              family: rs.family,
              table: rs.table,
              chain: at.name,
              rule: rs.step(at.chain, rule),
              verdict: o.verdict,
              note: undecided ? effect.reason : o.note,
              tag: w.tag,
            },
            before,
          );
          next = effectFollow(w, at, i, fork, depth, up, effect, o.verdict, out);
        }
        if (single) {
          pos = next;
          continue walk;
        }
        if (next) walkFrom(w, next, fork, out);
      }
      return;
    }
    pos = returned(b, up, 'end of chain', out);
  }
}

/** Where a matched rule's effect takes the branch on, or null when it ended (appended to `out`). */
function effectFollow<R, C>(
  w: ChainWalk<R, C>,
  at: Walking<R, C>,
  i: number,
  b: Branch,
  depth: number,
  up: Caller<R, C> | null,
  effect: Effect,
  verdict: string,
  out: ChainEnd[],
): Caller<R, C> | null {
  switch (effect.type) {
    case 'continue':
      return { at, next: i + 1, depth, up };
    case 'return':
      return returned(b, up, verdict, out);
    case 'accept':
    case 'drop':
    case 'reject':
      out.push({ fate: effect.type, branch: b, reason: verdict });
      return null;
    case 'undecided':
      out.push({ fate: 'undecided', branch: b, reason: effect.reason });
      return null;
    case 'jump': {
      const to = w.rs.target(at.chain, at.rules[i]!, effect.chain);
      return chainEnter(w, effect.chain, to, b, depth + 1, { at, next: i + 1, depth, up }, out);
    }
    case 'goto':
      // The called chain's return goes to whoever called this chain.
      return chainEnter(
        w,
        effect.chain,
        w.rs.target(at.chain, at.rules[i]!, effect.chain),
        b,
        depth + 1,
        up,
        out,
      );
  }
}

import type { Branch } from './branch';
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

export interface RuleSet<R> {
  /** Netfilter table name as steps show it. */
  table: string;
  /** ip, ip6 or inet. */
  family: string;
  /** The rules of `chain` that can match this packet, in order (all of them for a naive walk); null for a missing chain. */
  candidates(chain: string, pkt: Packet): readonly R[] | null;
  evaluate(rule: R, b: Branch): RuleOutcome[];
  step(rule: R): StepRule;
}

export interface ChainEnd {
  fate: 'return' | 'accept' | 'drop' | 'reject' | 'undecided';
  branch: Branch;
  /** What decided: the verdict text of the rule, or the undecided reason. */
  reason: string;
}

const maxDepth = 100;

export function chainWalk<R>(rs: RuleSet<R>, chain: string, b: Branch, hook: string, depth = 0): ChainEnd[] {
  if (depth > maxDepth)
    return [{ fate: 'undecided', branch: b, reason: `more than ${maxDepth} nested jumps` }];
  const rules = rs.candidates(chain, b.pkt);
  if (!rules) {
    stepAdd(b, {
      kind: 'undecided',
      hook,
      family: rs.family,
      table: rs.table,
      chain,
      rule: null,
      verdict: 'missing chain',
    });
    return [{ fate: 'undecided', branch: b, reason: `chain ${chain} is not in the ${rs.table} table` }];
  }
  return walkFrom(rs, chain, rules, 0, b, hook, depth);
}

function walkFrom<R>(
  rs: RuleSet<R>,
  chain: string,
  rules: readonly R[],
  start: number,
  b: Branch,
  hook: string,
  depth: number,
): ChainEnd[] {
  for (let i = start; i < rules.length; i++) {
    const rule = rules[i]!;
    const outcomes = rs.evaluate(rule, b);
    const only = outcomes.length === 1 ? outcomes[0]! : null;
    if (only && 'matched' in only && !only.matched) continue;
    const ends: ChainEnd[] = [];
    for (const o of outcomes) {
      if (o.p <= 0) continue;
      const fork = outcomes.length === 1 ? b : branchFork(b, o.p, o.choice);
      if (outcomes.length === 1 && o.choice) fork.choices.push(o.choice);
      if ('undecided' in o) {
        stepAdd(fork, {
          kind: 'undecided',
          hook,
          family: rs.family,
          table: rs.table,
          chain,
          rule: rs.step(rule),
          verdict: 'undecided',
          note: o.undecided,
        });
        ends.push({ fate: 'undecided', branch: fork, reason: o.undecided });
        continue;
      }
      if (!o.matched) {
        ends.push(...walkFrom(rs, chain, rules, i + 1, fork, hook, depth));
        continue;
      }
      const before = branchView(fork);
      o.mutate?.(fork.pkt);
      stepAdd(
        fork,
        {
          kind: 'rule',
          hook,
          family: rs.family,
          table: rs.table,
          chain,
          rule: rs.step(rule),
          verdict: o.verdict,
          note: o.note,
        },
        before,
      );
      ends.push(...effectFollow(rs, chain, rules, i, fork, hook, depth, o.effect, o.verdict));
    }
    return ends;
  }
  return [{ fate: 'return', branch: b, reason: 'end of chain' }];
}

function effectFollow<R>(
  rs: RuleSet<R>,
  chain: string,
  rules: readonly R[],
  i: number,
  b: Branch,
  hook: string,
  depth: number,
  effect: Effect,
  verdict: string,
): ChainEnd[] {
  switch (effect.type) {
    case 'continue':
      return walkFrom(rs, chain, rules, i + 1, b, hook, depth);
    case 'return':
    case 'accept':
    case 'drop':
    case 'reject':
      return [{ fate: effect.type, branch: b, reason: verdict }];
    case 'undecided':
      b.steps[b.steps.length - 1]!.kind = 'undecided';
      b.steps[b.steps.length - 1]!.note = effect.reason;
      return [{ fate: 'undecided', branch: b, reason: effect.reason }];
    case 'jump': {
      const out: ChainEnd[] = [];
      for (const end of chainWalk(rs, effect.chain, b, hook, depth + 1)) {
        if (end.fate === 'return') out.push(...walkFrom(rs, chain, rules, i + 1, end.branch, hook, depth));
        else out.push(end);
      }
      return out;
    }
    case 'goto':
      // The called chain's return goes to whoever called this chain.
      return chainWalk(rs, effect.chain, b, hook, depth + 1);
  }
}

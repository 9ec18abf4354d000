import type { IpFamily } from '../model/common';
import type { IptChain, IptMatch, IptRule, IptTable } from '../model/iptables';
import type { Branch } from './branch';
import type { RuleOutcome, RuleSet } from './chain-walk';
import { prefixParse } from './ip';
import type { MatchCtx } from './ipt-match';
import { iptRuleMatches } from './ipt-match';
import { iptTargetApply, iptTargetHarmless } from './ipt-target';
import type { Namespace } from './namespace';
import type { Packet } from './packet';
import type { StepRule } from './result';

/**
 * One iptables table as a RuleSet, with a per-chain index: rules that only match one destination
 * address (KUBE-SERVICES' `-d VIP/32`) or one destination port (KUBE-NODEPORTS' `--dport N`) sit in
 * buckets, so a chain of 10,000 service rules offers a packet the few rules that can match it, in
 * their original order. The kernel itself walks every rule; `naive` does the same.
 */

interface ChainIndex {
  rules: readonly IptRule[];
  byDst: Map<bigint, IptRule[]> | null;
  byPort: Map<number, IptRule[]> | null;
  /** Rules no bucket holds: offered to every packet. */
  rest: IptRule[];
}

const indexFrom = 16;

function singlePort(matches: readonly IptMatch[]): number | null {
  for (const m of matches) {
    if ((m.name === 'tcp' || m.name === 'udp' || m.name === 'sctp') && 'options' in m) {
      const d = (m.options as { dport?: { value: { from: number; to: number }; negate: boolean } }).dport;
      if (d && !d.negate && d.value.from === d.value.to) return d.value.from;
    }
  }
  return null;
}

function chainIndex(chain: IptChain, family: IpFamily): ChainIndex {
  if (chain.rules.length < indexFrom)
    return { rules: chain.rules, byDst: null, byPort: null, rest: chain.rules.slice() };
  const byDst = new Map<bigint, IptRule[]>();
  const byPort = new Map<number, IptRule[]>();
  const rest: IptRule[] = [];
  const hostLen = family === 'ip' ? 32 : 128;
  for (const rule of chain.rules) {
    const dst = rule.dst && !rule.dst.negate ? prefixParse(rule.dst.value) : null;
    if (dst && dst.len === hostLen) {
      const list = byDst.get(dst.value);
      if (list) list.push(rule);
      else byDst.set(dst.value, [rule]);
      continue;
    }
    const port = singlePort(rule.matches);
    if (port !== null) {
      const list = byPort.get(port);
      if (list) list.push(rule);
      else byPort.set(port, [rule]);
      continue;
    }
    rest.push(rule);
  }
  return { rules: chain.rules, byDst, byPort, rest };
}

/** Merges two rule lists that are each in chain order. */
function merge(a: readonly IptRule[], b: readonly IptRule[]): readonly IptRule[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: IptRule[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i]!.index < b[j]!.index ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

export interface EvalOptions {
  /** Walk every rule, as the kernel does, instead of the index's candidates. */
  naive: boolean;
  assumeNewClient: boolean;
}

export interface IptTableProgram {
  table: IptTable;
  family: IpFamily;
  chains: Map<string, ChainIndex>;
}

/** The one-time index of a table. */
export function iptTableProgram(table: IptTable, family: IpFamily): IptTableProgram {
  const chains = new Map<string, ChainIndex>();
  for (const c of table.chains) chains.set(c.name, chainIndex(c, family));
  return { table, family, chains };
}

const empty: readonly IptRule[] = [];
const stepRules = new WeakMap<IptRule, StepRule>();
const notMatched: RuleOutcome[] = [{ p: 1, choice: null, matched: false }];

export function iptRuleSet(
  program: IptTableProgram,
  ns: Namespace,
  hook: string,
  opts: EvalOptions,
): RuleSet<IptRule> {
  const ctx: MatchCtx = { ns, family: program.family, hook, assumeNewClient: opts.assumeNewClient };
  return {
    table: program.table.name,
    family: program.family,
    candidates(chain: string, pkt: Packet) {
      const idx = program.chains.get(chain);
      if (!idx) return null;
      if (opts.naive || !idx.byDst || !idx.byPort) return idx.rules;
      const byDst = idx.byDst.get(pkt.dst.value) ?? empty;
      const byPort = (pkt.dport !== null && idx.byPort.get(pkt.dport)) || empty;
      return merge(merge(byDst, byPort), idx.rest);
    },
    evaluate(rule: IptRule, b: Branch): RuleOutcome[] {
      const m = iptRuleMatches(ctx, b.pkt, rule);
      if (m === false) return notMatched;
      if (m === true) return matched(ctx, b.pkt, rule, 1, null);
      if ('undecided' in m) {
        if (iptTargetHarmless(rule))
          return matched(
            ctx,
            b.pkt,
            rule,
            1,
            null,
            `may not match: ${m.undecided}; it changes nothing either way`,
          );
        return [{ p: 1, choice: null, undecided: m.undecided }];
      }
      const { p, choice } = m.fork;
      return [...matched(ctx, b.pkt, rule, p, choice), { p: 1 - p, choice: `not ${choice}`, matched: false }];
    },
    step(rule: IptRule): StepRule {
      let s = stepRules.get(rule);
      if (!s)
        stepRules.set(rule, (s = { index: rule.index, line: rule.line, text: rule.text, handle: null }));
      return s;
    },
  };
}

function matched(
  ctx: MatchCtx,
  pkt: Packet,
  rule: IptRule,
  p: number,
  choice: string | null,
  note: string | null = null,
): RuleOutcome[] {
  return iptTargetApply(ctx, pkt, rule).map((a) => ({
    p: p * a.p,
    choice: choice && a.choice ? `${choice}, ${a.choice}` : (choice ?? a.choice),
    matched: true as const,
    effect: a.effect,
    verdict: a.verdict,
    note: note ?? a.note,
    mutate: a.mutate,
  }));
}

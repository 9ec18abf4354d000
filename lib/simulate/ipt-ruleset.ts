import type { IpFamily } from '../model/common';
import type { IptChain, IptMatch, IptRule, IptTable, NegatableValue } from '../model/iptables';
import type { RuleOutcome, RuleSet } from './chain-walk';
import { prefixParse } from './ip';
import type { MatchCtx } from './ipt-match';
import { iptRuleMatches } from './ipt-match';
import type { Applied } from './ipt-target';
import { iptTargetApply, iptTargetFixed, iptTargetHarmless, iptTargetInput } from './ipt-target';
import type { Namespace } from './namespace';
import type { Packet } from './packet';
import type { StepRule } from './result';

/**
 * One iptables table as a RuleSet, with a per-chain index: rules that only match one destination
 * address (KUBE-SERVICES' `-d VIP/32`) or one destination port (KUBE-NODEPORTS' `--dport N`) sit in
 * buckets, so a chain of 10,000 service rules offers a packet the few rules that can match it, in
 * their original order; in any chain, a rule for one source or destination host is passed by for
 * packets of other hosts without reading it. The kernel itself walks every rule; `naive` does the
 * same.
 */

/** What the walk keeps about a rule, beside it in its chain's index. */
interface IptRuleEntry {
  rule: IptRule;
  /**
   * The one address a plain `-s` / `-d` names when it names a single host: a packet from (to)
   * another address is passed by without reading the rule (KUBE-SEP-…'s `-s 10.0.0.5/32`).
   */
  srcHost: bigint | null;
  dstHost: bigint | null;
  /** How steps show it; made when the rule first matches. */
  step: StepRule | null;
  /** The target's outcome when it is the same for every packet (null when not); set on first match. */
  fixed: Applied[] | null | undefined;
  /** The chain a jump or goto enters (null: not in the table); set when a walk first takes it. */
  target: ChainIndex | null | undefined;
  /** The last outcome of a MARK / CONNMARK --set-… target and the mark it was for (iptTargetInput). */
  last: { input: number; applied: Applied[] } | null;
}

/**
 * A chain's rules as the dump has them (what a naive walk goes through, as before: the kernel's
 * per-rule cost is not made to read anything more), each rule's entry at its position, and the
 * buckets.
 */
interface ChainIndex {
  rules: readonly IptRule[];
  entries: readonly IptRuleEntry[];
  byDst: Map<bigint, IptRule[]> | null;
  byPort: Map<number, IptRule[]> | null;
  /** Rules no bucket holds: offered to every packet. */
  rest: readonly IptRule[];
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

function hostOf(opt: NegatableValue | undefined, family: IpFamily): bigint | null {
  if (!opt || opt.negate) return null;
  const p = prefixParse(opt.value);
  return p && p.family === family && p.len === (family === 'ip' ? 32 : 128) ? p.value : null;
}

function ruleEntry(rule: IptRule, family: IpFamily): IptRuleEntry {
  return {
    rule,
    srcHost: hostOf(rule.src, family),
    dstHost: hostOf(rule.dst, family),
    step: null,
    fixed: undefined,
    target: undefined,
    last: null,
  };
}

function chainIndex(chain: IptChain, family: IpFamily): ChainIndex {
  const rules = chain.rules;
  const entries = rules.map((r) => ruleEntry(r, family));
  if (rules.length < indexFrom) return { rules, entries, byDst: null, byPort: null, rest: rules };
  const byDst = new Map<bigint, IptRule[]>();
  const byPort = new Map<number, IptRule[]>();
  const rest: IptRule[] = [];
  for (const { rule, dstHost } of entries) {
    if (dstHost !== null) {
      const list = byDst.get(dstHost);
      if (list) list.push(rule);
      else byDst.set(dstHost, [rule]);
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
  return { rules, entries, byDst, byPort, rest };
}

/** The entry of a rule of the chain (rules are numbered by their position). */
function entryOf(idx: ChainIndex, rule: IptRule): IptRuleEntry {
  const entry = idx.entries[rule.index - 1];
  return entry?.rule === rule ? entry : idx.entries.find((e) => e.rule === rule)!;
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
const notMatched: RuleOutcome[] = [{ p: 1, choice: null, matched: false }];

export function iptRuleSet(
  program: IptTableProgram,
  ns: Namespace,
  hook: string,
  opts: EvalOptions,
): RuleSet<IptRule, ChainIndex> {
  const ctx: MatchCtx = { ns, family: program.family, hook, assumeNewClient: opts.assumeNewClient };
  const chains = program.chains;
  return {
    table: program.table.name,
    family: program.family,
    chain: (name) => chains.get(name) ?? null,
    // A table of 10,000 services has 60,000 chains: each jump is looked up once, not on every walk.
    target(from, rule, name) {
      const entry = entryOf(from, rule);
      return entry.target === undefined ? (entry.target = chains.get(name) ?? null) : entry.target;
    },
    candidates(idx, pkt) {
      if (opts.naive || !idx.byDst || !idx.byPort) return idx.rules;
      const byDst = idx.byDst.get(pkt.dst.value) ?? empty;
      const byPort = (pkt.dport !== null && idx.byPort.get(pkt.dport)) || empty;
      return merge(merge(byDst, byPort), idx.rest);
    },
    evaluate(idx, rule, b): RuleOutcome[] {
      if (!opts.naive) {
        const { srcHost, dstHost } = entryOf(idx, rule);
        if (
          (srcHost !== null && srcHost !== b.pkt.src.value) ||
          (dstHost !== null && dstHost !== b.pkt.dst.value)
        )
          return notMatched;
      }
      const m = iptRuleMatches(ctx, b.pkt, rule);
      if (m === false) return notMatched;
      if (m === true) return matched(ctx, b.pkt, entryOf(idx, rule), 1, null);
      if ('undecided' in m) {
        if (iptTargetHarmless(rule))
          return matched(
            ctx,
            b.pkt,
            entryOf(idx, rule),
            1,
            null,
            `may not match: ${m.undecided}; it changes nothing either way`,
          );
        return [{ p: 1, choice: null, undecided: m.undecided }];
      }
      const { p, choice } = m.fork;
      return [
        ...matched(ctx, b.pkt, entryOf(idx, rule), p, choice),
        { p: 1 - p, choice: `not ${choice}`, matched: false },
      ];
    },
    step(idx, rule) {
      const entry = entryOf(idx, rule);
      return (entry.step ??= { index: rule.index, line: rule.line, text: rule.text, handle: null });
    },
  };
}

/** A target's outcome for a packet; a MARK keeps its last one for the next packet with that mark. */
function targetApply(ctx: MatchCtx, pkt: Packet, entry: IptRuleEntry): Applied[] {
  const input = iptTargetInput(entry.rule, pkt);
  if (input === null) return iptTargetApply(ctx, pkt, entry.rule);
  if (entry.last?.input !== input) entry.last = { input, applied: iptTargetApply(ctx, pkt, entry.rule) };
  return entry.last.applied;
}

function matched(
  ctx: MatchCtx,
  pkt: Packet,
  entry: IptRuleEntry,
  p: number,
  choice: string | null,
  note: string | null = null,
): RuleOutcome[] {
  if (entry.fixed === undefined) entry.fixed = iptTargetFixed(ctx, pkt, entry.rule);
  const applied = entry.fixed ?? targetApply(ctx, pkt, entry);
  if (p === 1 && choice === null && note === null) return applied;
  return applied.map((a) => ({
    p: p * a.p,
    choice: choice && a.choice ? `${choice}, ${a.choice}` : (choice ?? a.choice),
    matched: true as const,
    effect: a.effect,
    verdict: a.verdict,
    note: note ?? a.note,
    mutate: a.mutate,
  }));
}

import type { NftChain, NftExpr, NftRule, NftSet, NftStmt, NftTable } from '../model/nftables';
import { nftRuleText } from '../nftables/render-text';
import type { Branch } from './branch';
import type { RuleOutcome, RuleSet } from './chain-walk';
import { ipParse, ipText } from './ip';
import type { Namespace } from './namespace';
import { nftExprEval, type EvalOut } from './nft-expr';
import type { Val } from './nft-value';
import { constMatches, exactKey, valKey, valText } from './nft-value';
import { dnatApply, masqueradeSource, natChoices, redirectDestination, snatApply } from './nat';
import type { NatChoice } from './nat';
import type { Packet } from './packet';
import { packetCopy } from './packet';
import type { StepRule } from './result';
import type { Effect } from './verdict-types';

/**
 * A native nft table as a RuleSet. Statements run in order on a working copy of the packet; a
 * numgen/jhash key forks the rule; named sets and maps are hashed once for exact keys and
 * searched for intervals and prefixes.
 */

interface CompiledSet {
  set: NftSet;
  exact: Map<string, NftExpr | null>;
  ranged: { key: NftExpr; value: NftExpr | null }[];
}

function setCompile(set: NftSet): CompiledSet {
  const exact = new Map<string, NftExpr | null>();
  const ranged: CompiledSet['ranged'] = [];
  for (const raw of set.elements) {
    const el = raw.kind === 'elem' ? raw.value : raw;
    const key = el.kind === 'mapping' ? el.key : el;
    const value = el.kind === 'mapping' ? el.value : null;
    const k = exactKey(key);
    if (k !== null) exact.set(k, value);
    else ranged.push({ key, value });
  }
  return { set, exact, ranged };
}

export interface NftTableProgram {
  table: NftTable;
  chains: Map<string, NftChain>;
  sets: Map<string, CompiledSet>;
}

export function nftTableProgram(table: NftTable): NftTableProgram {
  return {
    table,
    chains: new Map(table.chains.map((c) => [c.name, c])),
    sets: new Map(table.sets.map((s) => [s.name, setCompile(s)])),
  };
}

type Lookup = { found: true; value: NftExpr | null } | { found: false } | { unknown: string };

function lookup(program: NftTableProgram, data: NftExpr, key: Val): Lookup {
  if (data.kind === 'setref') {
    const set = program.sets.get(data.name.replace(/^@/, ''));
    if (!set) return { unknown: `set @${data.name} is not in table ${program.table.name}` };
    const hit = set.exact.get(valKey(key));
    if (hit !== undefined) return { found: true, value: hit };
    for (const r of set.ranged) {
      const m = constMatches(key, r.key);
      if (m === null)
        return { unknown: `cannot compare ${valText(key)} with an element of @${set.set.name}` };
      if (m) return { found: true, value: r.value };
    }
    return { found: false };
  }
  if (data.kind === 'set' || data.kind === 'list') {
    const items = data.kind === 'set' ? data.elements : data.items;
    for (const raw of items) {
      const el = raw.kind === 'elem' ? raw.value : raw;
      const k = el.kind === 'mapping' ? el.key : el;
      const m = constMatches(key, k);
      if (m === null) return { unknown: `cannot compare ${valText(key)} with a set element` };
      if (m) return { found: true, value: el.kind === 'mapping' ? el.value : null };
    }
    return { found: false };
  }
  return { unknown: `lookup in a ${data.kind} expression is not simulated` };
}

interface Live {
  p: number;
  choice: string | null;
  pkt: Packet;
  verdicts: string[];
}

type StmtOut =
  | { live: Live; status: 'next' }
  | { live: Live; status: 'nomatch' }
  | { live: Live; status: 'end'; effect: Effect; verdict: string; note: string | null }
  | { live: Live; status: 'undecided'; reason: string };

function forkLive(l: Live, p: number, choice: string | null): Live {
  return {
    p: l.p * p,
    choice: choice === null ? l.choice : l.choice ? `${l.choice}, ${choice}` : choice,
    pkt: packetCopy(l.pkt),
    verdicts: l.verdicts.slice(),
  };
}

/** Runs `fn` on every value an expression can take (one, or several with a fork). */
function withValue(l: Live, out: EvalOut, fn: (l: Live, v: Val) => StmtOut[]): StmtOut[] {
  if ('undecided' in out) return [{ live: l, status: 'undecided', reason: out.undecided }];
  if ('nomatch' in out) return [{ live: l, status: 'nomatch' }];
  if ('val' in out) return fn(l, out.val);
  return out.fork.flatMap((f) => fn(forkLive(l, f.p, f.choice), f.val));
}

function verdictEffect(v: { verdict: string; target?: string }): Effect | null {
  switch (v.verdict) {
    case 'accept':
      return { type: 'accept' };
    case 'drop':
      return { type: 'drop' };
    case 'return':
      return { type: 'return' };
    case 'continue':
      return { type: 'continue' };
    case 'jump':
    case 'goto':
      return v.target ? { type: v.verdict, chain: v.target } : null;
    default:
      return null;
  }
}

function verdictText(v: { verdict: string; target?: string }): string {
  return v.target ? `${v.verdict} ${v.target}` : v.verdict;
}

function natStmt(
  ns: Namespace,
  program: NftTableProgram,
  l: Live,
  s: Extract<NftStmt, { kind: 'nat' }>,
): StmtOut[] {
  const pkt = l.pkt;
  const end = (live: Live, verdict: string, note: string | null = null): StmtOut => ({
    live,
    status: 'end',
    effect: { type: 'accept' },
    verdict,
    note,
  });
  const random = s.flags?.some((f) => f === 'random' || f === 'fully-random')
    ? 'source port chosen at random; shown unchanged'
    : null;
  if (s.type === 'masquerade') {
    if (!pkt.oif || !pkt.nexthop)
      return [{ live: l, status: 'undecided', reason: 'masquerade outside postrouting' }];
    const src = masqueradeSource(ns, pkt.oif, pkt.nexthop, pkt.family);
    if (!src)
      return [
        {
          live: l,
          status: 'end',
          effect: { type: 'drop' },
          verdict: 'masquerade',
          note: `${pkt.oif} has no usable address`,
        },
      ];
    snatApply(pkt, { addr: src, port: null, p: 1, choice: null });
    return [end(l, `masquerade as ${ipText(src)} (${pkt.oif})`, random)];
  }
  if (s.type === 'redirect') {
    const dst = redirectDestination(ns, pkt);
    if (!dst)
      return [
        {
          live: l,
          status: 'end',
          effect: { type: 'drop' },
          verdict: 'redirect',
          note: 'no address on the incoming interface',
        },
      ];
    const port = s.port?.kind === 'immediate' ? Number(s.port.value) : null;
    dnatApply(pkt, { addr: dst, port, p: 1, choice: null });
    return [end(l, `redirect to ${ipText(dst)}${port !== null ? `:${port}` : ''}`)];
  }
  const apply = s.type === 'dnat' ? dnatApply : snatApply;
  // The address may be a map lookup (numgen / jhash load balancing), whose value may carry the port.
  const target = (live: Live, addrExpr: NftExpr | undefined): StmtOut[] => {
    if (!addrExpr) return natTo(live, null, s.port);
    if (addrExpr.kind === 'map') {
      return withValue(live, nftExprEval(ns, live.pkt, addrExpr.key), (l2, key) => {
        const hit = lookup(program, addrExpr.data, key);
        if ('unknown' in hit) return [{ live: l2, status: 'undecided', reason: hit.unknown }];
        if (!hit.found || !hit.value)
          return [
            {
              live: l2,
              status: 'end',
              effect: { type: 'drop' },
              verdict: `${s.type}: no map element`,
              note: `no element for ${valText(key)}: the kernel drops the packet`,
            },
          ];
        return natValue(l2, hit.value);
      });
    }
    return natValue(live, addrExpr);
  };
  const natValue = (live: Live, value: NftExpr): StmtOut[] => {
    if (value.kind === 'concat' && value.items.length === 2)
      return natTo(live, value.items[0]!, value.items[1]);
    return natTo(live, value, s.port);
  };
  const natTo = (live: Live, addr: NftExpr | null, port: NftExpr | undefined): StmtOut[] => {
    let from: string | null = null;
    let to: string | null = null;
    if (addr?.kind === 'immediate') from = to = String(addr.value);
    else if (addr?.kind === 'range' && addr.low.kind === 'immediate' && addr.high.kind === 'immediate') {
      from = String(addr.low.value);
      to = String(addr.high.value);
    } else if (addr)
      return [
        { live, status: 'undecided', reason: `${s.type} to a ${addr.kind} expression is not simulated` },
      ];
    let portFrom: number | null = null;
    let portTo: number | null = null;
    if (port?.kind === 'immediate') portFrom = portTo = Number(port.value);
    else if (port?.kind === 'range' && port.low.kind === 'immediate' && port.high.kind === 'immediate') {
      portFrom = Number(port.low.value);
      portTo = Number(port.high.value);
    }
    const a = from ? ipParse(from) : null;
    const b = to ? ipParse(to) : null;
    if ((from && !a) || (to && !b))
      return [{ live, status: 'undecided', reason: `${s.type}: cannot read address ${from}` }];
    const current = s.type === 'dnat' ? live.pkt.dport : live.pkt.sport;
    const choices = natChoices({ addrFrom: a, addrTo: b, portFrom, portTo }, current);
    if (typeof choices === 'string') return [{ live, status: 'undecided', reason: choices }];
    return choices.map((c: NatChoice) => {
      const l2 = choices.length === 1 ? live : forkLive(live, c.p, c.choice);
      apply(l2.pkt, c);
      const addrText = c.addr ? ipText(c.addr) : '';
      return end(
        l2,
        `${s.type} to ${addrText}${c.port !== null ? `:${c.port}` : ''}`,
        s.type === 'snat' ? random : null,
      );
    });
  };
  return target(l, s.addr);
}

function stmtEval(ns: Namespace, program: NftTableProgram, s: NftStmt, l: Live): StmtOut[] {
  const pkt = l.pkt;
  switch (s.kind) {
    case 'match':
      return withValue(l, nftExprEval(ns, pkt, s.left), (l2, v) => {
        let m: boolean | null;
        if (s.right.kind === 'setref') {
          const hit = lookup(program, s.right, v);
          if ('unknown' in hit) return [{ live: l2, status: 'undecided', reason: hit.unknown }];
          m = hit.found;
        } else if (v.t === 'flags' && (s.op === 'in' || s.op === '==' || s.op === '!=' || s.op === '!')) {
          const any = constMatches(
            v,
            s.right.kind === 'immediate' ? { kind: 'list', items: [s.right] } : s.right,
          );
          const exact = s.right.kind === 'list' || s.right.kind === 'set' ? null : constMatches(v, s.right);
          m = s.op === 'in' ? any : s.op === '!' ? !any : (exact ?? any);
        } else m = constMatches(v, s.right);
        if (m === null)
          return [{ live: l2, status: 'undecided', reason: `cannot evaluate the match on ${valText(v)}` }];
        if (s.op === '<' || s.op === '>' || s.op === '<=' || s.op === '>=') {
          if (s.right.kind !== 'immediate' || v.t !== 'num')
            return [{ live: l2, status: 'undecided', reason: `comparison ${s.op} on ${valText(v)}` }];
          const r = Number(s.right.value);
          m = s.op === '<' ? v.n < r : s.op === '>' ? v.n > r : s.op === '<=' ? v.n <= r : v.n >= r;
        } else if (s.op === '!=' && v.t !== 'flags') m = !m;
        return [{ live: l2, status: m ? 'next' : 'nomatch' }];
      });
    case 'verdict': {
      const effect = verdictEffect(s);
      if (!effect)
        return [{ live: l, status: 'undecided', reason: `verdict ${s.verdict} hands the packet elsewhere` }];
      return [{ live: l, status: 'end', effect, verdict: verdictText(s), note: null }];
    }
    case 'vmap':
      return withValue(l, nftExprEval(ns, pkt, s.key), (l2, v) => {
        const hit = lookup(program, s.data, v);
        if ('unknown' in hit) return [{ live: l2, status: 'undecided', reason: hit.unknown }];
        if (!hit.found) return [{ live: l2, status: 'nomatch' }];
        const value = hit.value;
        if (!value || value.kind !== 'verdict')
          return [{ live: l2, status: 'undecided', reason: 'vmap element without a verdict' }];
        const effect = verdictEffect(value);
        if (!effect) return [{ live: l2, status: 'undecided', reason: `verdict ${value.verdict}` }];
        return [{ live: l2, status: 'end', effect, verdict: verdictText(value), note: `vmap ${valText(v)}` }];
      });
    case 'mangle': {
      const key = s.key;
      const target =
        key.kind === 'meta' && key.key === 'mark'
          ? 'mark'
          : key.kind === 'ct' && key.key === 'mark'
            ? 'ctmark'
            : null;
      if (!target) {
        l.verdicts.push('mangle');
        return [{ live: l, status: 'next' }];
      }
      return withValue(l, nftExprEval(ns, pkt, s.value), (l2, v) => {
        if (v.t !== 'num')
          return [{ live: l2, status: 'undecided', reason: `set ${target} to ${valText(v)}` }];
        if (target === 'mark') l2.pkt.mark = v.n >>> 0;
        else l2.pkt.ct.mark = v.n >>> 0;
        l2.verdicts.push(`${target === 'mark' ? 'meta mark' : 'ct mark'} set 0x${(v.n >>> 0).toString(16)}`);
        return [{ live: l2, status: 'next' }];
      });
    }
    case 'nat':
      return natStmt(ns, program, l, s);
    case 'reject':
      return [{ live: l, status: 'end', effect: { type: 'reject' }, verdict: 'reject', note: null }];
    case 'notrack':
      pkt.ct.state = 'UNTRACKED';
      l.verdicts.push('notrack');
      return [{ live: l, status: 'next' }];
    case 'counter':
    case 'log':
    case 'set':
    case 'flow':
      l.verdicts.push(
        s.kind === 'set' ? `${s.op} @${s.set}` : s.kind === 'flow' ? `flow add @${s.flowtable}` : s.kind,
      );
      return [{ live: l, status: 'next' }];
    case 'objref':
      if (s.type === 'counter') {
        l.verdicts.push('counter');
        return [{ live: l, status: 'next' }];
      }
      return [{ live: l, status: 'undecided', reason: `${s.type} object: its state is not in a snapshot` }];
    case 'limit':
    case 'quota':
    case 'ctCount':
    case 'meter':
      return [{ live: l, status: 'undecided', reason: `${s.kind}: depends on earlier traffic` }];
    case 'queue':
    case 'dup':
    case 'fwd':
    case 'tproxy':
    case 'synproxy':
      return [{ live: l, status: 'undecided', reason: `${s.kind} hands the packet elsewhere` }];
    case 'xt':
      return [
        {
          live: l,
          status: 'undecided',
          reason: `xt ${s.type} ${s.name}: an iptables extension nft cannot show`,
        },
      ];
    case 'unknown':
      return [{ live: l, status: 'undecided', reason: 'a statement packetlens does not read' }];
  }
}

const harmlessKinds = new Set(['counter', 'log']);

export function nftRuleSet(program: NftTableProgram, ns: Namespace): RuleSet<NftRule, NftChain> {
  const chains = program.chains;
  return {
    table: program.table.name,
    family: program.table.family,
    chain: (name) => chains.get(name) ?? null,
    target: (_from, _rule, name) => chains.get(name) ?? null,
    candidates: (chain) => chain.rules,
    evaluate(_chain, rule, b): RuleOutcome[] {
      let live: Live[] = [{ p: 1, choice: null, pkt: packetCopy(b.pkt), verdicts: [] }];
      const outcomes: RuleOutcome[] = [];
      const stmts = rule.stmts;
      for (let i = 0; i < stmts.length && live.length > 0; i++) {
        const next: Live[] = [];
        for (const l of live) {
          for (const o of stmtEval(ns, program, stmts[i]!, l)) {
            if (o.status === 'next') next.push(o.live);
            else if (o.status === 'nomatch')
              outcomes.push({ p: o.live.p, choice: o.live.choice, matched: false });
            else if (o.status === 'undecided') {
              const rest = stmts.slice(i + 1);
              if (rest.every((s) => harmlessKinds.has(s.kind)) && o.live.verdicts.length === 0)
                outcomes.push(
                  matchedOut(
                    o.live,
                    b,
                    { type: 'continue' },
                    'continue',
                    `may not match: ${o.reason}; it changes nothing either way`,
                  ),
                );
              else outcomes.push({ p: o.live.p, choice: o.live.choice, undecided: o.reason });
            } else {
              const shown = [...o.live.verdicts.filter((v) => v !== 'counter'), o.verdict].join(', ');
              outcomes.push(matchedOut(o.live, b, o.effect, shown, o.note));
            }
          }
        }
        live = next;
      }
      for (const l of live) {
        const shown = l.verdicts.filter((v) => v !== 'counter');
        outcomes.push(
          matchedOut(l, b, { type: 'continue' }, shown.length ? shown.join(', ') : 'continue', null),
        );
      }
      return outcomes;
    },
    step(_chain, rule): StepRule {
      return { index: rule.index, line: null, text: nftRuleText(program.table, rule), handle: rule.handle };
    },
  };
}

function matchedOut(l: Live, b: Branch, effect: Effect, verdict: string, note: string | null): RuleOutcome {
  const after = l.pkt;
  return {
    p: l.p,
    choice: l.choice,
    matched: true,
    effect,
    verdict,
    note,
    mutate: after === b.pkt ? null : (pkt: Packet) => Object.assign(pkt, packetCopy(after)),
  };
}

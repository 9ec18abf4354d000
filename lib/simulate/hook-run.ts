import type { Branch } from './branch';
import { branchView, stepAdd } from './branch';
import { chainWalk } from './chain-walk';
import type { RuleSet } from './chain-walk';
import type { Hook, HookEntry, NetfilterProgram } from './hooks';
import { hookEntries, natCore } from './hooks';
import type { EvalOptions } from './ipt-ruleset';
import type { Namespace } from './namespace';
import { tupleInverse, viewCurrent } from './packet';

/**
 * One netfilter hook for one packet: every base chain registered there, in order. An accept hands
 * the packet to the next base chain; a drop or reject ends it. Conntrack's NAT for packets of a
 * known connection (replies, later packets) runs at the nat core's position instead of the nat
 * chains, which only a connection's first packet visits.
 */

export interface HookEnd {
  branch: Branch;
  fate: 'accept' | 'drop' | 'reject' | 'undecided';
  reason: string;
}

/** Reverse (or repeated) NAT that conntrack applies to a packet of a confirmed connection. */
function conntrackTranslate(b: Branch, hook: Hook): void {
  const core = natCore[hook];
  const conn = b.pkt.ct.conn;
  if (!core || !conn) return;
  const before = branchView(b);
  const pkt = b.pkt;
  const reply = pkt.ct.dir === 'reply';
  // Each direction's packets are made to look like the other direction's tuple, inverted: that
  // redoes the connection's NAT on originals and undoes it on replies (a no-op without NAT).
  const want = tupleInverse(reply ? conn.orig : conn.reply);
  if (core.manip === 'dst') {
    pkt.dst = want.dst;
    pkt.dport = want.dport;
  } else {
    pkt.src = want.src;
    pkt.sport = want.sport;
  }
  if (viewCurrent(before, pkt)) return;
  const what = {
    'dst reply': 'un-SNAT: destination back to the original source',
    'dst original': 'DNAT of the connection',
    'src reply': 'un-DNAT: source back to the address the client connected to',
    'src original': 'SNAT of the connection',
  }[`${core.manip} ${reply ? 'reply' : 'original'}` as const];
  stepAdd(
    b,
    {
      kind: 'conntrack',
      hook,
      family: pkt.family,
      table: null,
      chain: null,
      rule: null,
      verdict: what,
      note: 'conntrack translates every packet of a NATed connection after the first',
    },
    before,
  );
}

const ruleSets = new WeakMap<HookEntry, Map<string, RuleSet<unknown>>>();

/** A chain's rule set for one namespace, hook and options, built once. */
function ruleSetOf(e: HookEntry, ns: Namespace, hook: Hook, opts: EvalOptions): RuleSet<unknown> {
  let byKey = ruleSets.get(e);
  if (!byKey) ruleSets.set(e, (byKey = new Map()));
  const key = `${ns.name}\0${hook}\0${opts.naive}\0${opts.assumeNewClient}`;
  let rs = byKey.get(key);
  if (!rs) byKey.set(key, (rs = e.ruleSet(ns, hook, opts)));
  return rs;
}

/** Names the base chain and rule engine on the steps one base chain's walk added. */
function tagSteps(b: Branch, from: number, e: HookEntry): void {
  for (let i = from; i < b.steps.length; i++) {
    const s = b.steps[i]!;
    s.baseChain = e.chain;
    s.priority = e.ownPriority;
    s.source = e.source;
    if (e.note) s.note ??= e.note;
  }
}

function natSkip(b: Branch, hook: Hook): boolean {
  const ct = b.pkt.ct;
  if (ct.state === 'UNTRACKED' || ct.conn) return true;
  const core = natCore[hook];
  if (!core) return true;
  return core.manip === 'dst' ? ct.dstDecided || ct.dnat : ct.srcDecided || ct.snat;
}

export function hookRun(
  ns: Namespace,
  program: NetfilterProgram,
  hook: Hook,
  start: Branch,
  opts: EvalOptions,
): HookEnd[] {
  const entries = hookEntries(program, start.pkt.family, hook);
  const core = natCore[hook];
  let live: Branch[] = [start];
  const done: HookEnd[] = [];
  let translated = false;
  const translate = () => {
    if (translated) return;
    translated = true;
    for (const b of live) conntrackTranslate(b, hook);
  };
  for (const e of entries) {
    if (core && e.priority >= core.priority) translate();
    const next: Branch[] = [];
    for (const b of live) {
      if (e.nat && natSkip(b, hook)) {
        next.push(b);
        continue;
      }
      // An established packet's binding comes from its first packet: replay the nat chains as NEW.
      const replay = e.nat && b.pkt.ct.state === 'ESTABLISHED';
      const firstStep = b.steps.length;
      if (replay) b.pkt.ct.state = 'NEW';
      const rs = ruleSetOf(e, ns, hook, opts);
      for (const end of chainWalk(rs, e.chain, b, hook)) {
        const br = end.branch;
        if (replay) {
          br.pkt.ct.state = 'ESTABLISHED';
          for (let i = firstStep; i < br.steps.length; i++) {
            const s = br.steps[i]!;
            s.kind = s.kind === 'rule' ? 'conntrack' : s.kind;
            s.packet = { ...s.packet, ctstate: 'ESTABLISHED' };
            s.note =
              'later packets skip the nat table; conntrack applies the binding the first packet made through this rule';
          }
        }
        if (end.fate === 'return') {
          const drop = e.policy === 'drop';
          stepAdd(br, {
            kind: 'policy',
            hook,
            family: rs.family,
            table: rs.table,
            chain: e.chain,
            rule: null,
            verdict: drop ? 'DROP' : 'ACCEPT',
            note:
              e.policy === null
                ? "the dump does not state this chain's policy; ACCEPT is what iptables creates"
                : null,
          });
          tagSteps(br, firstStep, e);
          if (drop) done.push({ branch: br, fate: 'drop', reason: `${rs.table} ${e.chain} policy DROP` });
          else next.push(br);
        } else {
          tagSteps(br, firstStep, e);
          if (end.fate === 'accept') next.push(br);
          else done.push({ branch: br, fate: end.fate, reason: end.reason });
        }
      }
    }
    live = next;
  }
  translate();
  if (core) {
    for (const b of live) {
      if (core.manip === 'dst') b.pkt.ct.dstDecided = true;
      else b.pkt.ct.srcDecided = true;
    }
  }
  return [...done, ...live.map((b) => ({ branch: b, fate: 'accept' as const, reason: 'accepted' }))];
}

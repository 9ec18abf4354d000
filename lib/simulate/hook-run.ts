import type { IpFamily } from '../model/common';
import type { Branch, StepTag } from './branch';
import { branchView, stepAdd } from './branch';
import { chainWalk } from './chain-walk';
import type { ChainWalk } from './chain-walk';
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

/** One base chain of a hook, ready to walk for one namespace: its rule set and step tags. */
export interface HookStage {
  entry: HookEntry;
  /** The base chain in its rule set; null when the table does not have it. */
  chain: unknown;
  /** The walk for a connection's first packet. */
  walk: ChainWalk<unknown, unknown>;
  /** The nat chains replayed for an established packet (its steps show conntrack's binding). */
  replay: ChainWalk<unknown, unknown>;
}

/** The base chains `hook` runs for `family` in `ns`, in order, each with its rule set. */
export function hookStages(
  program: NetfilterProgram,
  ns: Namespace,
  family: IpFamily,
  hook: Hook,
  opts: EvalOptions,
): HookStage[] {
  return hookEntries(program, family, hook).map((entry) => {
    const rs = entry.ruleSet(ns, hook, opts);
    const tag: StepTag = {
      baseChain: entry.chain,
      priority: entry.ownPriority,
      source: entry.source,
      note: entry.note,
      replay: false,
    };
    return {
      entry,
      chain: rs.chain(entry.chain),
      walk: { rs, hook, tag },
      replay: { rs, hook, tag: { ...tag, replay: true } },
    };
  });
}

function natSkip(b: Branch, hook: Hook): boolean {
  const ct = b.pkt.ct;
  if (ct.state === 'UNTRACKED' || ct.conn) return true;
  const core = natCore[hook];
  if (!core) return true;
  return core.manip === 'dst' ? ct.dstDecided || ct.dnat : ct.srcDecided || ct.snat;
}

export function hookRun(stages: readonly HookStage[], hook: Hook, start: Branch): HookEnd[] {
  const core = natCore[hook];
  let live: Branch[] = [start];
  const done: HookEnd[] = [];
  let translated = false;
  const translate = () => {
    if (translated) return;
    translated = true;
    for (const b of live) conntrackTranslate(b, hook);
  };
  for (const stage of stages) {
    const e = stage.entry;
    if (core && e.priority >= core.priority) translate();
    const next: Branch[] = [];
    for (const b of live) {
      if (e.nat && natSkip(b, hook)) {
        next.push(b);
        continue;
      }
      // An established packet's binding comes from its first packet: replay the nat chains as NEW.
      const replay = e.nat && b.pkt.ct.state === 'ESTABLISHED';
      if (replay) b.pkt.ct.state = 'NEW';
      const walk = replay ? stage.replay : stage.walk;
      const rs = walk.rs;
      for (const end of chainWalk(walk, e.chain, stage.chain, b)) {
        const br = end.branch;
        if (replay) br.pkt.ct.state = 'ESTABLISHED';
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
            tag: stage.walk.tag,
          });
          if (drop) done.push({ branch: br, fate: 'drop', reason: `${rs.table} ${e.chain} policy DROP` });
          else next.push(br);
        } else if (end.fate === 'accept') next.push(br);
        else done.push({ branch: br, fate: end.fate, reason: end.reason });
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
  for (const b of live) done.push({ branch: b, fate: 'accept', reason: 'accepted' });
  return done;
}

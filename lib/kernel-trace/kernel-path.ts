import type { BaseChainIndex } from './base-chains';
import { baseChainFind } from './base-chains';
import type {
  ChainVisit,
  HopEnd,
  KernelHop,
  KernelPath,
  KernelTrace,
  NatKind,
  PacketChange,
  TraceStep,
} from './kernel-path-types';
import type { Probe } from './probe';
import { probeL4proto } from './probe';
import type { TraceEvent, TracePacket } from './trace-event';
import type { TraceHook } from './trace-table';
import { isTraceTable, traceChainName, traceHooks } from './trace-table';

/**
 * Reduces the trace events of every namespace into the path one probe's first packet took, and the
 * path of the first packet answering it. How:
 *
 * 1. Visits. In each namespace a `packet:` line opens a base chain visit; the rule, return and policy
 *    lines of the same trace id and table belong to it. Lines of different packets interleave (a
 *    REJECT sends its RST before the rejecting chain's own lines are printed), the trace id keeps
 *    them apart.
 * 2. Hops. The trace table's first chains (prerouting and output, priority -450) start the trace of
 *    each packet in a namespace: each such visit opens a hop (`received` or `originated`). Later
 *    visits join the hop of their trace id; when the kernel gave the packet a new id, the hop whose
 *    packet has the same IP id, protocol and ports.
 * 3. Which packet. A hop's first packet says its direction: the probe's protocol with its source
 *    port (echo id) is the probe; with it as destination port, or an ICMP error to the probe's
 *    source, the reply. The first packet is the one the sender originated first; IPv4 hops of the
 *    same IP id are that packet everywhere (routers and NAT keep the id). IPv6 has no id: the first
 *    hop of that direction in each namespace is taken, which is right as long as each namespace
 *    sees the packet once.
 * 4. Order across namespaces. Every router decrements the TTL: hops go by TTL on entry, highest
 *    first; at equal TTL (the sender and its next hop, or a bridge with br_netfilter, which does not
 *    decrement) the originating hop comes first, then a hop the packet left, then the one where it
 *    ended. Hops still tied are kept in the input order and named in the notes.
 * 5. Hook of a chain. A trace line names table and chain only; the hook and priority come from the
 *    namespace's ruleset (`nft -j list ruleset`, BaseChainIndex). A chain missing there is kept with
 *    hook null and a note.
 * 6. End of a hop. A drop verdict ends it (`rejected` when the deciding rule is a reject); the trace
 *    table's last input chain (priority 10000) means delivered to the socket layer; its last
 *    postrouting chain means the packet left, by that chain's output interface. Anything else is
 *    `vanished`, with the last hook it reached: the routing decision, an iptables-legacy rule (legacy
 *    tables never appear in nf_tables traces) or another hook user took it.
 */

interface Visit {
  netns: string;
  traceId: string;
  family: string;
  table: string;
  chain: string;
  packet: TracePacket;
  line: number;
  events: TraceEvent[];
  /** The trace table's own chain, as a hook marker. */
  marker: { hook: TraceHook; end: 'first' | 'last' } | null;
}

interface Segment {
  netns: string;
  order: number;
  entry: 'originated' | 'received';
  visits: Visit[];
}

const markerChains = new Map<string, { hook: TraceHook; end: 'first' | 'last' }>(
  traceHooks.flatMap((hook) =>
    (['first', 'last'] as const).map((end) => [traceChainName(hook, end), { hook, end }] as const),
  ),
);

const terminalVerdicts = new Set(['accept', 'drop', 'queue', 'stolen']);
const icmpErrors = new Set([
  'destination-unreachable',
  'time-exceeded',
  'parameter-problem',
  'packet-too-big',
]);

function groupByNetns(events: readonly TraceEvent[]): Map<string, TraceEvent[]> {
  const by = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const list = by.get(e.netns) ?? [];
    list.push(e);
    by.set(e.netns, list);
  }
  for (const list of by.values()) list.sort((a, b) => a.line - b.line);
  return by;
}

function visitsOf(netns: string, events: readonly TraceEvent[], notes: string[]): Visit[] {
  const visits: Visit[] = [];
  const open = new Map<string, Visit>();
  for (const e of events) {
    if (e.kind === 'unknown' || e.traceId === null || e.table === null || e.family === null) continue;
    if (e.kind === 'packet') {
      const v: Visit = {
        netns,
        traceId: e.traceId,
        family: e.family,
        table: e.table,
        chain: e.chain!,
        packet: e.packet!,
        line: e.line,
        events: [],
        marker: isTraceTable(e.table) ? (markerChains.get(e.chain!) ?? null) : null,
      };
      visits.push(v);
      open.set(e.traceId, v);
      continue;
    }
    const v = open.get(e.traceId);
    if (!v || v.family !== e.family || v.table !== e.table) {
      notes.push(
        `${netns} line ${e.line}: ${e.kind} line of ${e.family} ${e.table} ${e.chain} without its packet line`,
      );
      continue;
    }
    v.events.push(e);
  }
  return visits;
}

/**
 * Whether a packet line shows the packet a hop last saw. Between two chains at most one NAT
 * manipulation happens (destination in prerouting/output, source in postrouting/input), so one side
 * of the tuple is unchanged; the IP id never changes (IPv6 has none, which makes this weaker there).
 */
function samePacket(last: TracePacket, next: TracePacket): boolean {
  const sameSrc = last.saddr === next.saddr && last.sport === next.sport;
  const sameDst = last.daddr === next.daddr && last.dport === next.dport;
  return (
    last.ipId === next.ipId &&
    last.l4proto === next.l4proto &&
    last.icmpId === next.icmpId &&
    (sameSrc || sameDst)
  );
}

function segmentsOf(
  netns: string,
  visits: readonly Visit[],
  notes: string[],
  order: { n: number },
): Segment[] {
  const segments: Segment[] = [];
  const byTrace = new Map<string, Segment>();
  for (const v of visits) {
    const starts =
      v.marker?.end === 'first' && (v.marker.hook === 'prerouting' || v.marker.hook === 'output');
    if (starts) {
      const seg: Segment = {
        netns,
        order: order.n++,
        entry: v.marker!.hook === 'output' ? 'originated' : 'received',
        visits: [v],
      };
      segments.push(seg);
      byTrace.set(v.traceId, seg);
      continue;
    }
    let seg = byTrace.get(v.traceId);
    if (!seg) {
      seg = [...segments].reverse().find((s) => samePacket(s.visits[s.visits.length - 1]!.packet, v.packet));
      if (seg) byTrace.set(v.traceId, seg);
    }
    if (seg) seg.visits.push(v);
    else
      notes.push(
        `${netns} line ${v.line}: ${v.family} ${v.table} ${v.chain} seen for a packet whose trace did not start in this namespace's trace table`,
      );
  }
  return segments;
}

/** The probe's identity as NAT may have rewritten it: ports (echo ids) it was seen with. */
interface Identity {
  l4proto: string;
  icmp: boolean;
  ports: Set<number>;
}

function isForward(p: TracePacket, id: Identity): boolean {
  if (p.l4proto !== id.l4proto) return false;
  if (id.icmp) return p.icmpType === 'echo-request' && p.icmpId !== null && id.ports.has(p.icmpId);
  return p.sport !== null && id.ports.has(p.sport);
}

function isReply(p: TracePacket, id: Identity, sources: ReadonlySet<string>): boolean {
  if (p.icmpType !== null && icmpErrors.has(p.icmpType)) return p.daddr !== null && sources.has(p.daddr);
  if (p.l4proto !== id.l4proto) return false;
  if (id.icmp) return p.icmpType === 'echo-reply' && p.icmpId !== null && id.ports.has(p.icmpId);
  return p.dport !== null && id.ports.has(p.dport);
}

/**
 * The probe's packets, following source NAT: a hop the probe left with another source port (an SNAT
 * or `masquerade fully-random` rewrote it) makes that port the probe's in the next namespace.
 */
function forwardSegments(segments: readonly Segment[], id: Identity): Segment[] {
  const found: Segment[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const s of segments) {
      if (found.includes(s) || !isForward(s.visits[0]!.packet, id)) continue;
      found.push(s);
      grew = true;
      const out = s.visits[s.visits.length - 1]!.packet;
      const port = id.icmp ? out.icmpId : out.sport;
      if (port !== null) id.ports.add(port);
    }
  }
  return found;
}

function natOf(ruleText: string | null): NatKind | null {
  if (ruleText === null) return null;
  const m =
    /(?:^| )(dnat|snat|masquerade|redirect)(?: |$)/.exec(ruleText) ??
    /xt target "(DNAT|SNAT|MASQUERADE|REDIRECT)"/.exec(ruleText);
  return m ? (m[1]!.toLowerCase() as NatKind) : null;
}

function chainVisit(v: Visit, index: BaseChainIndex, notes: string[]): ChainVisit {
  const base = baseChainFind(index, v.netns, v.family, v.table, v.chain);
  if (!base)
    notes.push(
      `${v.netns}: ${v.family} ${v.table} ${v.chain} is not a base chain in the namespace's ruleset: hook unknown`,
    );
  const steps: TraceStep[] = v.events.map((e) => ({
    chain: e.chain!,
    kind: e.kind as TraceStep['kind'],
    ruleText: e.ruleText,
    handle: e.handle,
    verdict: e.verdict ?? '',
    line: e.line,
  }));
  const chains = [v.chain];
  for (const e of v.events) if (e.kind === 'rule' && e.jumpTarget !== null) chains.push(e.jumpTarget);
  const decisive = v.events.find((e) => e.kind === 'rule' && terminalVerdicts.has(e.verdict ?? ''));
  const policy = v.events.find((e) => e.kind === 'policy');
  const ending = [...v.events].reverse().find((e) => e.mark !== null);
  return {
    hook: base?.hook ?? null,
    family: v.family,
    table: v.table,
    chain: v.chain,
    priority: base?.priority ?? null,
    type: base?.type ?? null,
    packet: v.packet,
    steps,
    chains,
    verdict: decisive?.verdict ?? policy?.verdict ?? null,
    decidedBy: decisive
      ? { chain: decisive.chain!, ruleText: decisive.ruleText, handle: decisive.handle }
      : null,
    byPolicy: !decisive && policy !== undefined,
    nat: decisive ? natOf(decisive.ruleText) : null,
    markAtEnd: ending?.mark ?? null,
  };
}

function hookOf(v: Visit, index: BaseChainIndex): string | null {
  return v.marker?.hook ?? baseChainFind(index, v.netns, v.family, v.table, v.chain)?.hook ?? null;
}

const changeFields = ['saddr', 'daddr', 'sport', 'dport', 'oif'] as const;
const natFields: Record<NatKind, ReadonlySet<string>> = {
  dnat: new Set(['daddr', 'dport']),
  redirect: new Set(['daddr', 'dport']),
  snat: new Set(['saddr', 'sport']),
  masquerade: new Set(['saddr', 'sport']),
};

function changesOf(
  visits: readonly Visit[],
  chainVisits: ReadonlyMap<Visit, ChainVisit>,
  index: BaseChainIndex,
): PacketChange[] {
  const changes: PacketChange[] = [];
  for (let i = 1; i < visits.length; i++) {
    const before = visits[i - 1]!;
    const after = visits[i]!;
    for (const field of changeFields) {
      const from = before.packet[field];
      const to = after.packet[field];
      if (field === 'oif' && (from === null || to === null)) continue;
      if (from === to) continue;
      const cv = chainVisits.get(before);
      const by =
        cv?.nat && natFields[cv.nat].has(field)
          ? { table: cv.table, chain: cv.decidedBy!.chain, ruleText: cv.decidedBy!.ruleText }
          : null;
      changes.push({
        field,
        from: from === null ? null : String(from),
        to: to === null ? null : String(to),
        hook: hookOf(after, index),
        by,
      });
    }
  }
  return changes;
}

function hopEnd(
  seg: Segment,
  visits: readonly ChainVisit[],
  lastHook: string | null,
): { end: HopEnd; reason: string | null } {
  const dropped = visits.find((v) => v.verdict === 'drop');
  if (dropped) {
    const rejected =
      dropped.decidedBy?.ruleText != null && /(?:^| )reject(?: |$)/.test(dropped.decidedBy.ruleText);
    return { end: rejected ? 'rejected' : 'dropped', reason: null };
  }
  const took = visits.find((v) => v.verdict === 'queue' || v.verdict === 'stolen');
  if (took)
    return {
      end: 'vanished',
      reason: `verdict ${took.verdict} in ${took.family} ${took.table} ${took.chain}`,
    };
  const seen = (hook: TraceHook, end: 'first' | 'last') =>
    seg.visits.some((v) => v.marker?.hook === hook && v.marker.end === end);
  if (seen('input', 'last')) return { end: 'delivered', reason: null };
  if (seen('postrouting', 'last')) return { end: 'left', reason: null };
  for (const hook of ['input', 'forward', 'output', 'postrouting', 'prerouting'] as const) {
    if (seen(hook, 'first') && !seen(hook, 'last')) {
      return {
        end: 'vanished',
        reason: `entered ${hook} and never left it, with no nf_tables drop: an iptables-legacy rule or another hook user took it`,
      };
    }
  }
  return {
    end: 'vanished',
    reason: `left ${lastHook ?? 'its first hook'} and reached no further hook: the routing decision (no route, rp_filter, forwarding off) or a hook the trace does not cover took it`,
  };
}

function hopOf(seg: Segment, index: BaseChainIndex, notes: string[]): KernelHop {
  const real = seg.visits.filter((v) => v.marker === null && !isTraceTable(v.table));
  const chainVisits = new Map(real.map((v) => [v, chainVisit(v, index, notes)] as const));
  const hooks: string[] = [];
  for (const v of seg.visits) {
    const h = hookOf(v, index);
    if (h !== null && hooks[hooks.length - 1] !== h) hooks.push(h);
  }
  const first = seg.visits[0]!;
  const last = seg.visits[seg.visits.length - 1]!;
  const visits = [...chainVisits.values()];
  const { end, reason } = hopEnd(seg, visits, hooks[hooks.length - 1] ?? null);
  return {
    netns: seg.netns,
    entry: seg.entry,
    ttl: first.packet.ttl,
    hooks,
    visits,
    end,
    endReason: reason,
    iif: first.packet.iif,
    oif: last.packet.oif,
    packetIn: first.packet,
    packetOut: last.packet,
    changes: changesOf(seg.visits, chainVisits, index),
  };
}

function endRank(h: KernelHop): number {
  return h.end === 'left' ? 0 : 1;
}

function orderHops(hops: KernelHop[], notes: string[]): KernelHop[] {
  const indexed = hops.map((h, i) => ({ h, i }));
  indexed.sort(
    (a, b) =>
      (b.h.ttl ?? -1) - (a.h.ttl ?? -1) ||
      (a.h.entry === 'originated' ? 0 : 1) - (b.h.entry === 'originated' ? 0 : 1) ||
      endRank(a.h) - endRank(b.h) ||
      a.i - b.i,
  );
  for (let i = 1; i < indexed.length; i++) {
    const a = indexed[i - 1]!.h;
    const b = indexed[i]!.h;
    if (a.netns !== b.netns && a.ttl === b.ttl && a.entry === b.entry && endRank(a) === endRank(b)) {
      notes.push(
        `order of ${a.netns} and ${b.netns} is not decided by the trace (same TTL ${a.ttl}, both ${a.entry}); kept as listed`,
      );
    }
  }
  return indexed.map((x) => x.h);
}

function pathOf(
  direction: 'forward' | 'reply',
  segments: readonly Segment[],
  origin: Segment | null,
  index: BaseChainIndex,
  notes: string[],
): KernelPath {
  let chosen: Segment[];
  const ipId = origin?.visits[0]!.packet.ipId ?? null;
  if (ipId !== null && ipId !== 0) {
    chosen = segments.filter((s) => s.visits[0]!.packet.ipId === ipId);
  } else {
    const firstPerNetns = new Map<string, Segment>();
    for (const s of segments) if (!firstPerNetns.has(s.netns)) firstPerNetns.set(s.netns, s);
    if (origin) firstPerNetns.set(origin.netns, origin);
    chosen = [...firstPerNetns.values()];
  }
  const hops = orderHops(
    chosen.sort((a, b) => a.order - b.order).map((s) => hopOf(s, index, notes)),
    notes,
  );
  const lastHop = hops[hops.length - 1];
  return {
    direction,
    hops,
    disposition: lastHop ? lastHop.end : 'not-seen',
    final: lastHop
      ? { netns: lastHop.netns, packet: lastHop.packetOut, oif: lastHop.end === 'left' ? lastHop.oif : null }
      : null,
    notes,
  };
}

/**
 * The kernel's path for the probe's first packet and for the first packet answering it, from the
 * events of every traced namespace (in any order; each namespace's own line order is kept).
 */
export function kernelPath(events: readonly TraceEvent[], probe: Probe, index: BaseChainIndex): KernelTrace {
  const notes: string[] = [];
  const segments: Segment[] = [];
  const order = { n: 0 };
  for (const [netns, list] of groupByNetns(events)) {
    segments.push(...segmentsOf(netns, visitsOf(netns, list, notes), notes, order));
  }

  const id: Identity = {
    l4proto: probeL4proto(probe),
    icmp: probe.proto === 'icmp' || probe.proto === 'icmpv6',
    ports: new Set([probe.sport]),
  };
  const forward = forwardSegments(segments, id);
  const origin =
    forward.find(
      (s) =>
        s.netns === probe.from &&
        s.entry === 'originated' &&
        isForward(s.visits[0]!.packet, { ...id, ports: new Set([probe.sport]) }),
    ) ?? null;
  const forwardNotes: string[] = [];
  if (!origin && forward.length > 0) {
    forwardNotes.push(
      `the sender ${probe.from} did not trace the probe leaving: the first packet of each namespace is taken`,
    );
  }
  const forwardPath = pathOf('forward', forward, origin, index, forwardNotes);

  const sources = new Set<string>();
  if (probe.src !== null) sources.add(probe.src);
  for (const h of forwardPath.hops)
    for (const p of [h.packetIn, h.packetOut]) if (p.saddr !== null) sources.add(p.saddr);
  const replies = segments.filter((s) => !forward.includes(s) && isReply(s.visits[0]!.packet, id, sources));
  // The answer comes from where the probe ended: the destination, or the namespace that rejected it.
  const answerer = forwardPath.final?.netns ?? null;
  const replyOrigin =
    replies.find((s) => s.entry === 'originated' && s.netns === answerer) ??
    replies.find((s) => s.entry === 'originated') ??
    null;
  const replyPath = pathOf('reply', replies, replyOrigin, index, []);

  const unreadLines = events
    .filter((e) => e.kind === 'unknown')
    .map((e) => ({ netns: e.netns, line: e.line, raw: e.raw, reason: e.reason ?? '' }));
  return { probe, forward: forwardPath, reply: replyPath, notes, unreadLines };
}

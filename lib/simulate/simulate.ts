import type { Snapshot } from '../model/snapshot';
import type { IpFamily } from '../model/common';
import type { Branch } from './branch';
import { branchSteps } from './branch';
import type { HookStage } from './hook-run';
import { hookStages } from './hook-run';
import type { Hook, NetfilterProgram } from './hooks';
import { netfilterProgram } from './hooks';
import type { Ip } from './ip';
import { ipParse, ipText } from './ip';
import type { Namespace } from './namespace';
import { namespacesOf } from './namespace';
import type { Packet, Tuple } from './packet';
import { hasPorts, packetView } from './packet';
import type { Walker, WalkEnd } from './packet-walk';
import { receive, send } from './packet-walk';
import type { TraceQuery } from './query';
import type { PathEnd, TraceLeg, TracePath, TraceResult } from './result';
import { serviceResolve } from './service-resolve';

/**
 * The simulator: every path a packet can take through the given hosts, each with its probability,
 * the steps it passed and where it ended; the reply walked back to the sender when it was
 * delivered. Pure: snapshots and a query in, a TraceResult out.
 */

export class TraceError extends Error {}

export interface SimulatorOptions {
  /** Walk every rule of every chain, as the kernel does (the benchmark's peer). */
  naive?: boolean;
}

/** The one-time index of a set of snapshots; trace as many packets through it as needed. */
export interface Simulator {
  namespaces: readonly Namespace[];
  trace(query: TraceQuery): TraceResult;
}

export function simulatorBuild(snapshots: readonly Snapshot[], opts: SimulatorOptions = {}): Simulator {
  const namespaces = namespacesOf(snapshots);
  const programs = new Map<Namespace, NetfilterProgram>();
  for (const ns of namespaces) programs.set(ns, netfilterProgram(ns.snapshot));
  const walkerOf = (assumeNewClient: boolean): Walker => {
    const evalOpts = { naive: opts.naive ?? false, assumeNewClient };
    type ByHook = Partial<Record<Hook, readonly HookStage[]>>;
    const stages = new Map<Namespace, Record<IpFamily, ByHook>>();
    return {
      namespaces,
      stages(ns, family, hook) {
        let byFamily = stages.get(ns);
        if (!byFamily) stages.set(ns, (byFamily = { ip: {}, ip6: {} }));
        return (byFamily[family][hook] ??= hookStages(programs.get(ns)!, ns, family, hook, evalOpts));
      },
    };
  };
  const walkers = [walkerOf(false), walkerOf(true)] as const;
  return {
    namespaces,
    trace: (query) => traceWith(walkers[query.assumeNewClient ? 1 : 0], snapshots, query),
  };
}

export function simulate(
  snapshots: readonly Snapshot[],
  query: TraceQuery,
  opts: SimulatorOptions = {},
): TraceResult {
  return simulatorBuild(snapshots, opts).trace(query);
}

function findNamespace(all: readonly Namespace[], name: string | null, wantPod: boolean): Namespace {
  if (name === null) {
    const first = all.find((n) => !n.isPod);
    if (!first) throw new TraceError('no host snapshot given');
    return first;
  }
  const hits = all.filter(
    (n) =>
      (n.isPod === wantPod || !wantPod) &&
      (n.name === name || n.snapshot.host.name === name || n.snapshot.host.netns?.name === name),
  );
  if (hits.length === 1) return hits[0]!;
  const kind = wantPod ? 'pod' : 'host';
  if (hits.length > 1)
    throw new TraceError(`${kind} '${name}' is ambiguous: ${hits.map((h) => h.name).join(', ')}`);
  const known = all.filter((n) => n.isPod === wantPod).map((n) => n.name);
  throw new TraceError(`${kind} '${name}' is not in the snapshots (known: ${known.join(', ') || 'none'})`);
}

interface Resolved {
  dst: string;
  /** `dst` parsed. */
  ip: Ip;
  dport: number | null;
}

function resolveDestination(snapshots: readonly Snapshot[], q: TraceQuery): Resolved {
  const ip = ipParse(q.dst);
  if (ip) return { dst: ipText(ip), ip, dport: q.dport };
  const svc = serviceResolve(snapshots, q.dst);
  if (typeof svc === 'string') throw new TraceError(svc);
  if (svc.proto !== q.proto)
    throw new TraceError(`service '${q.dst}' is ${svc.proto}, the query asks for ${q.proto}`);
  const svcIp = ipParse(svc.ip);
  if (!svcIp)
    throw new TraceError(
      `service '${q.dst}' has '${svc.ip}' (${svc.origin}), which is not one address: give --dst an address instead`,
    );
  return { dst: svc.ip, ip: svcIp, dport: q.dport ?? svc.port };
}

function firstPacket(q: TraceQuery, src: string, dst: string, d: Ip, dport: number | null): Packet {
  const s = ipParse(src);
  if (!s) throw new TraceError(`--src '${src}' is not an address`);
  if (s.family !== d.family) throw new TraceError(`--src ${src} and --dst ${dst} are of different families`);
  if ((q.proto === 'icmp' && d.family !== 'ip') || (q.proto === 'icmpv6' && d.family !== 'ip6'))
    throw new TraceError(`--proto ${q.proto} does not go with ${dst}`);
  const ports = hasPorts(q.proto);
  if (ports && dport === null) throw new TraceError(`--proto ${q.proto} needs --dport`);
  const tuple: Tuple = {
    src: s,
    dst: d,
    sport: ports ? (q.sport ?? 40000) : null,
    dport: ports ? dport : null,
    proto: q.proto,
  };
  const established = q.state === 'established';
  return {
    family: d.family,
    src: s,
    dst: d,
    sport: tuple.sport,
    dport: tuple.dport,
    proto: q.proto,
    icmpType: q.proto === 'icmp' || q.proto === 'icmpv6' ? 'echo-request' : null,
    iif: null,
    oif: null,
    physIn: null,
    physOut: null,
    mark: q.mark,
    nexthop: null,
    tcpFlags: q.proto === 'tcp' ? (established ? ['ACK'] : ['SYN']) : [],
    ct: {
      state: established ? 'ESTABLISHED' : 'NEW',
      dir: 'original',
      orig: tuple,
      conn: null,
      dnat: false,
      snat: false,
      dstDecided: false,
      srcDecided: false,
      mark: 0,
    },
  };
}

function finalOf(end: WalkEnd): PathEnd {
  const v = packetView(end.branch.pkt);
  return { host: end.ns.name, src: v.src, dst: v.dst, sport: v.sport, dport: v.dport, oif: v.oif };
}

function legOf(end: WalkEnd): TraceLeg {
  return {
    verdict: end.verdict,
    disposition: end.disposition,
    steps: branchSteps(end.branch),
    final: finalOf(end),
  };
}

/** The reply to a delivered packet: sent back by the receiver, un-NATed by conntrack on the way. */
function replyWalk(w: Walker, end: WalkEnd): WalkEnd[] {
  const p = end.branch.pkt;
  const pkt: Packet = {
    ...p,
    src: p.dst,
    dst: p.src,
    sport: p.dport,
    dport: p.sport,
    icmpType: p.icmpType === 'echo-request' ? 'echo-reply' : p.icmpType,
    tcpFlags: p.proto === 'tcp' ? ['SYN', 'ACK'] : [],
    mark: 0,
    iif: null,
    oif: null,
    nexthop: null,
    ct: { ...p.ct, state: 'ESTABLISHED' },
  };
  const b: Branch = { ...end.branch, pkt, last: null, probability: 1, choices: [], direction: 'reply' };
  return send(w, end.ns, b, false);
}

function traceWith(w: Walker, snapshots: readonly Snapshot[], q: TraceQuery): TraceResult {
  const { dst, ip: dstIp, dport } = resolveDestination(snapshots, q);
  const entry = q.entry;
  const ns =
    entry.kind === 'pod'
      ? findNamespace(w.namespaces, entry.pod, true)
      : findNamespace(w.namespaces, entry.host, false);
  const dstFamily = dstIp.family;
  let src = q.src;
  if (src === null && entry.kind === 'pod') {
    const own = ns.addresses.find((a) => a.family === dstFamily && a.scope === 'global');
    if (!own) throw new TraceError(`pod ${ns.name} has no ${dstFamily === 'ip' ? 'IPv4' : 'IPv6'} address`);
    src = own.local;
  }
  if (src === null && entry.kind === 'iif')
    throw new TraceError('--src is needed for a packet received on an interface');
  const chooseSource = src === null;
  const pkt = firstPacket(q, src ?? (dstFamily === 'ip' ? '0.0.0.0' : '::'), dst, dstIp, dport);
  const start: Branch = {
    pkt,
    probability: 1,
    last: null,
    choices: [],
    conns: [],
    direction: 'original',
    ns: ns.name,
    view: null,
  };
  let ends: WalkEnd[];
  if (entry.kind === 'iif') {
    if (!ns.interfaces.has(entry.iface))
      throw new TraceError(
        `${ns.name} has no interface '${entry.iface}' (it has ${[...ns.interfaces.keys()].join(', ')})`,
      );
    ends = receive(w, ns, start, entry.iface, null);
  } else ends = send(w, ns, start, chooseSource);
  const paths: TracePath[] = [];
  for (const end of ends) {
    const leg = legOf(end);
    const { probability, choices } = end.branch;
    const path = (p: number, c: string[], reply: TraceLeg | null): TracePath => ({
      verdict: leg.verdict,
      disposition: leg.disposition,
      steps: leg.steps,
      final: leg.final,
      probability: p,
      choices: c,
      reply,
    });
    if (end.disposition !== 'local' || !q.reply) {
      paths.push(path(probability, choices, null));
      continue;
    }
    for (const r of replyWalk(w, end))
      paths.push(path(probability * r.branch.probability, [...choices, ...r.branch.choices], legOf(r)));
  }
  paths.sort((a, b) => b.probability - a.probability);
  return {
    query: q,
    resolved: { host: ns.name, src: src ?? paths[0]?.steps[0]?.packet.src ?? '', dst, dport },
    paths,
  };
}

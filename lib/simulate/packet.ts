import type { IpFamily } from '../model/common';
import type { Ip } from './ip';
import { ipText } from './ip';
import type { TraceProto } from './query';
import type { PacketView } from './result';

/** The connection tuple as one namespace's conntrack sees it. */
export interface Tuple {
  src: Ip;
  dst: Ip;
  sport: number | null;
  dport: number | null;
  proto: TraceProto;
}

/** One confirmed conntrack entry of one namespace. */
export interface Conn {
  orig: Tuple;
  reply: Tuple;
  dnat: boolean;
  snat: boolean;
  mark: number;
}

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

/** Conntrack as it stands for the packet in the namespace it is in. */
export interface PacketCt {
  state: CtState;
  dir: 'original' | 'reply';
  /** The tuple when the packet entered this namespace (before any NAT here). */
  orig: Tuple;
  /** The confirmed entry the packet belongs to, or null for a new connection. */
  conn: Conn | null;
  /** NAT bindings made for this new connection in this namespace so far. */
  dnat: boolean;
  snat: boolean;
  /** Whether the nat chains already decided the destination / source manipulation. */
  dstDecided: boolean;
  srcDecided: boolean;
  mark: number;
}

export interface Packet {
  family: IpFamily;
  src: Ip;
  dst: Ip;
  sport: number | null;
  dport: number | null;
  proto: TraceProto;
  /** ICMP / ICMPv6 type name (echo-request, echo-reply). */
  icmpType: string | null;
  iif: string | null;
  oif: string | null;
  /** Bridge ports when the packet is bridged (physdev). */
  physIn: string | null;
  physOut: string | null;
  mark: number;
  /** The next hop routing chose (gateway or the destination itself); null before routing. */
  nexthop: Ip | null;
  ct: PacketCt;
  /** TCP flags of this packet. */
  tcpFlags: readonly string[];
}

export function packetCopy(p: Packet): Packet {
  return {
    family: p.family,
    src: p.src,
    dst: p.dst,
    sport: p.sport,
    dport: p.dport,
    proto: p.proto,
    icmpType: p.icmpType,
    iif: p.iif,
    oif: p.oif,
    physIn: p.physIn,
    physOut: p.physOut,
    mark: p.mark,
    nexthop: p.nexthop,
    ct: ctCopy(p.ct),
    tcpFlags: p.tcpFlags,
  };
}

/** Field by field: object spread is several times slower on the walk's hot path. */
export function ctCopy(ct: PacketCt): PacketCt {
  return {
    state: ct.state,
    dir: ct.dir,
    orig: ct.orig,
    conn: ct.conn,
    dnat: ct.dnat,
    snat: ct.snat,
    dstDecided: ct.dstDecided,
    srcDecided: ct.srcDecided,
    mark: ct.mark,
  };
}

export function packetTuple(p: Packet): Tuple {
  return { src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, proto: p.proto };
}

export function tupleInverse(t: Tuple): Tuple {
  return { src: t.dst, dst: t.src, sport: t.dport, dport: t.sport, proto: t.proto };
}

export function tupleEquals(a: Tuple, b: Tuple): boolean {
  return (
    a.proto === b.proto &&
    a.sport === b.sport &&
    a.dport === b.dport &&
    a.src.family === b.src.family &&
    a.src.value === b.src.value &&
    a.dst.value === b.dst.value
  );
}

export function packetView(p: Packet): PacketView {
  return {
    src: ipText(p.src),
    dst: ipText(p.dst),
    sport: p.sport,
    dport: p.dport,
    proto: p.proto,
    iif: p.iif,
    oif: p.oif,
    mark: p.mark,
    ctmark: p.ct.mark,
    ctstate: p.ct.state,
  };
}

/** Whether a view still shows the packet as it is. */
export function viewCurrent(v: PacketView, p: Packet): boolean {
  return (
    v.src === ipText(p.src) &&
    v.dst === ipText(p.dst) &&
    v.sport === p.sport &&
    v.dport === p.dport &&
    v.iif === p.iif &&
    v.oif === p.oif &&
    v.mark === p.mark &&
    v.ctmark === p.ct.mark &&
    v.ctstate === p.ct.state &&
    v.proto === p.proto
  );
}

const noChanges: string[] = [];

/** Names of the fields that differ between two views (highlighted where NAT rewrites). */
export function viewChanges(before: PacketView, after: PacketView): string[] {
  if (before === after) return noChanges;
  // Spelled out: a loop over key names is a slow keyed lookup on every step.
  const out: string[] = [];
  if (before.src !== after.src) out.push('src');
  if (before.dst !== after.dst) out.push('dst');
  if (before.sport !== after.sport) out.push('sport');
  if (before.dport !== after.dport) out.push('dport');
  if (before.iif !== after.iif) out.push('iif');
  if (before.oif !== after.oif) out.push('oif');
  if (before.mark !== after.mark) out.push('mark');
  if (before.ctmark !== after.ctmark) out.push('ctmark');
  if (before.ctstate !== after.ctstate) out.push('ctstate');
  return out;
}

/** Protocol numbers as iptables and nft write them. */
export const protoNumbers: Readonly<Record<TraceProto, number>> = {
  icmp: 1,
  tcp: 6,
  udp: 17,
  icmpv6: 58,
  sctp: 132,
};

export function hasPorts(proto: TraceProto): boolean {
  return proto === 'tcp' || proto === 'udp' || proto === 'sctp';
}

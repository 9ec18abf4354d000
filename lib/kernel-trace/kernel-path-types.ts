import { z } from 'zod';
import { Probe } from './probe';
import { TracePacket } from './trace-event';

/** What the kernel did with one probe, reduced from `nft monitor trace` of every namespace it crossed. */

/** One rule line, return line or policy line inside a base chain visit. */
export const TraceStep = z.object({
  /** The chain the line names: the base chain or a chain jumped to from it. */
  chain: z.string(),
  kind: z.enum(['rule', 'return', 'policy']),
  /** Exact rule text as nft printed it (counters as they were when the monitor started); null for policy, return and `unknown rule`. */
  ruleText: z.string().nullable(),
  handle: z.number().int().nullable(),
  verdict: z.string(),
  /** Line in that namespace's monitor output. */
  line: z.number().int(),
});
export type TraceStep = z.infer<typeof TraceStep>;

export const NatKind = z.enum(['dnat', 'snat', 'masquerade', 'redirect']);
export type NatKind = z.infer<typeof NatKind>;

/** One base chain run by the kernel for the packet. */
export const ChainVisit = z.object({
  /** From the namespace's ruleset; null when the chain was not a base chain there (see the path's notes). */
  hook: z.string().nullable(),
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  priority: z.number().int().nullable(),
  type: z.string().nullable(),
  /** The packet as this base chain saw it on entry. */
  packet: TracePacket,
  steps: z.array(TraceStep),
  /** The base chain, then every chain entered by jump or goto, in order. */
  chains: z.array(z.string()),
  /** The base chain's outcome: `accept`, `drop`, `queue`, `stolen`; null when the trace of this chain stops before one. */
  verdict: z.string().nullable(),
  /** The rule that gave the verdict; null when the policy did (byPolicy) or none did. */
  decidedBy: z
    .object({ chain: z.string(), ruleText: z.string().nullable(), handle: z.number().int().nullable() })
    .nullable(),
  byPolicy: z.boolean(),
  /** The NAT statement of the deciding rule, when it has one. */
  nat: NatKind.nullable(),
  /** `meta mark` printed on the policy or return line, when non-zero. */
  markAtEnd: z.number().int().nullable(),
});
export type ChainVisit = z.infer<typeof ChainVisit>;

export const PacketChange = z.object({
  field: z.enum(['saddr', 'daddr', 'sport', 'dport', 'oif']),
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** Hook of the first chain that saw the new value. */
  hook: z.string().nullable(),
  /** The NAT rule's chain visit that explains it; null when no traced rule does (conntrack for replies and later packets; for a first packet, an untraced hook user such as iptables-legacy). */
  by: z.object({ table: z.string(), chain: z.string(), ruleText: z.string().nullable() }).nullable(),
});
export type PacketChange = z.infer<typeof PacketChange>;

export const HopEnd = z.enum(['delivered', 'left', 'dropped', 'rejected', 'vanished']);
export type HopEnd = z.infer<typeof HopEnd>;

/** The packet's stay in one namespace: from the hook it entered by until it left, was delivered or disappeared. */
export const KernelHop = z.object({
  netns: z.string(),
  /** `originated`: generated here (output hook); `received`: came in on an interface (prerouting). */
  entry: z.enum(['originated', 'received']),
  /** TTL (hop limit) when it entered; routers decrement it, which orders hops across namespaces. */
  ttl: z.number().int().nullable(),
  /** Hooks in the order the packet passed them. */
  hooks: z.array(z.string()),
  /** The base chains the kernel ran, in order; the trace table's own chains are left out. */
  visits: z.array(ChainVisit),
  end: HopEnd,
  /** Why a `vanished` hop is not more precise, or what dropped it when no traced rule did. */
  endReason: z.string().nullable(),
  iif: z.string().nullable(),
  /** Output interface as the last hook saw it (after rerouting). */
  oif: z.string().nullable(),
  packetIn: TracePacket,
  /** The packet as the last hook it reached saw it: after SNAT/MASQUERADE when it left by postrouting. */
  packetOut: TracePacket,
  changes: z.array(PacketChange),
});
export type KernelHop = z.infer<typeof KernelHop>;

export const PathDisposition = z.enum(['delivered', 'left', 'dropped', 'rejected', 'vanished', 'not-seen']);
export type PathDisposition = z.infer<typeof PathDisposition>;

export const KernelPath = z.object({
  direction: z.enum(['forward', 'reply']),
  hops: z.array(KernelHop),
  disposition: PathDisposition,
  /** Where it ended and as what packet; null when it was not seen at all. */
  final: z.object({ netns: z.string(), packet: TracePacket, oif: z.string().nullable() }).nullable(),
  /** What the trace could not decide, named with the reason. */
  notes: z.array(z.string()),
});
export type KernelPath = z.infer<typeof KernelPath>;

export const KernelTrace = z.object({
  probe: Probe,
  /** The probe's first packet. */
  forward: KernelPath,
  /** The first packet answering it (a SYN-ACK, a RST, an echo reply, an ICMP error). */
  reply: KernelPath,
  /** Lines of the capture that belong to no visit or hop, named with the reason. */
  notes: z.array(z.string()),
  /** Lines nobody could read, kept with their reason. */
  unreadLines: z.array(
    z.object({ netns: z.string(), line: z.number().int(), raw: z.string(), reason: z.string() }),
  ),
});
export type KernelTrace = z.infer<typeof KernelTrace>;

import { z } from 'zod';

/**
 * One line of `nft -a monitor trace`, parsed. nft prints four kinds of trace lines (libnftables'
 * src/trace.c): the packet as a base chain first sees it, a rule that matched with its verdict, the
 * end of a chain without a terminal verdict (`verdict continue`, the kernel's NFT_TRACETYPE_RETURN,
 * kind `return` here) and a base chain's policy. A line nft prints in any other shape is kept as
 * kind `unknown` with the reason, never dropped.
 */

/** The headers of the packet as the trace printed them; null where the line did not show a field. */
export const TracePacket = z.object({
  iif: z.string().nullable(),
  oif: z.string().nullable(),
  /** Network layer: `ip` or `ip6`. */
  l3: z.enum(['ip', 'ip6']).nullable(),
  saddr: z.string().nullable(),
  daddr: z.string().nullable(),
  /** `ip ttl`, or `ip6 hoplimit`. */
  ttl: z.number().int().nullable(),
  /** `ip id`; IPv6 has none. */
  ipId: z.number().int().nullable(),
  /** As nft names it: `tcp`, `udp`, `icmp`, `ipv6-icmp`, `sctp`, ... */
  l4proto: z.string().nullable(),
  sport: z.number().int().nullable(),
  dport: z.number().int().nullable(),
  /** `tcp flags == syn` gives `syn`; several flags print as a hex value (`0x12`). */
  tcpFlags: z.string().nullable(),
  /** icmp or icmpv6 type name as printed, e.g. `echo-request`, `destination-unreachable`. */
  icmpType: z.string().nullable(),
  icmpCode: z.string().nullable(),
  icmpId: z.number().int().nullable(),
  icmpSeq: z.number().int().nullable(),
  /** Conntrack details, printed by newer nft versions only (nft 1.0.6 prints none). */
  ctState: z.string().nullable(),
  ctDirection: z.string().nullable(),
  ctStatus: z.string().nullable(),
  ctId: z.number().int().nullable(),
  /** Every header statement exactly as nft printed it after `packet: `. */
  text: z.string(),
});
export type TracePacket = z.infer<typeof TracePacket>;

export const TraceEventKind = z.enum(['packet', 'rule', 'return', 'policy', 'unknown']);
export type TraceEventKind = z.infer<typeof TraceEventKind>;

export const TraceEvent = z.object({
  /** The network namespace whose monitor printed the line. */
  netns: z.string(),
  /** 1-based line number in that monitor's output. */
  line: z.number().int().positive(),
  kind: TraceEventKind,
  /** 8 hex digits; the kernel may give one packet another id after routing, so it is a hint only. */
  traceId: z.string().nullable(),
  family: z.string().nullable(),
  table: z.string().nullable(),
  chain: z.string().nullable(),
  /** The rule as nft lists it (without ` # handle N`); null for other kinds and for `unknown rule`. */
  ruleText: z.string().nullable(),
  /** Rule handle (`nft -a`), also for a rule nft could not look up. */
  handle: z.number().int().nullable(),
  /** The verdict (rule and return lines) or the policy, as printed: `accept`, `drop`, `jump KUBE-SVC-X`. */
  verdict: z.string().nullable(),
  /** Target chain of a `jump` or `goto` verdict. */
  jumpTarget: z.string().nullable(),
  packet: TracePacket.nullable(),
  /** `meta mark` that policy and return lines carry when the packet has a non-zero mark. */
  mark: z.number().int().nullable(),
  /** The line exactly as nft printed it (trailing blanks removed). */
  raw: z.string(),
  /** Why an `unknown` line could not be read; null otherwise. */
  reason: z.string().nullable(),
});
export type TraceEvent = z.infer<typeof TraceEvent>;

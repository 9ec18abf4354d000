import { z } from 'zod';
import { TraceProto, TraceQuery } from './query';

/** What `trace` answers: every path the packet can take, each with its probability and steps. */

export const PacketView = z.object({
  src: z.string(),
  dst: z.string(),
  sport: z.number().int().nullable(),
  dport: z.number().int().nullable(),
  proto: TraceProto,
  iif: z.string().nullable(),
  oif: z.string().nullable(),
  /** skb->mark. */
  mark: z.number().int().nonnegative(),
  /** The connection's mark (ct mark / connmark). */
  ctmark: z.number().int().nonnegative(),
  ctstate: z.string(),
});
export type PacketView = z.infer<typeof PacketView>;

export const StepRule = z.object({
  /** Position in its chain, 1-based. */
  index: z.number().int().positive(),
  /** Line in the dump (iptables-save); null for nft rules, which `nft -j` does not number. */
  line: z.number().int().positive().nullable(),
  /** The rule exactly as the dump has it (iptables-save text, or nft's own rule syntax). */
  text: z.string(),
  /** nft rule handle, when the rule came from `nft -j`. */
  handle: z.number().int().nullable(),
});
export type StepRule = z.infer<typeof StepRule>;

export const StepKind = z.enum([
  /** A rule matched (terminal or not). */
  'rule',
  /** A chain's policy decided (built-in or base chain fell through). */
  'policy',
  /** A routing decision. */
  'route',
  /** conntrack translated the packet (established packets, replies). */
  'conntrack',
  /** A bridge handed the packet on at layer 2. */
  'bridge',
  /** The packet moved to another collected namespace. */
  'transit',
  /** The packet reached a socket of this namespace. */
  'deliver',
  /** The packet left by an interface towards something not collected. */
  'leave',
  /** Dropped outside a rule (no route, forwarding off, rp_filter, hairpin off). */
  'drop',
  /** The simulator cannot decide this step; the reason says why. */
  'undecided',
]);
export type StepKind = z.infer<typeof StepKind>;

export const TraceStep = z.object({
  kind: StepKind,
  /** Snapshot name of the namespace (host, or pod as `host/pod`). */
  host: z.string(),
  direction: z.enum(['original', 'reply']),
  /** PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING; `routing` for routing decisions. */
  hook: z.string(),
  /** ip, ip6 (iptables and nft) or inet (nft). */
  family: z.string(),
  /** Netfilter table, or the routing table for routing steps; null where none applies. */
  table: z.string().nullable(),
  chain: z.string().nullable(),
  rule: StepRule.nullable(),
  /** The base chain this step ran under (the built-in or nft base chain the hook called). */
  baseChain: z.string().nullable(),
  /** The base chain's priority (a nat chain's own, not the nat core's). */
  priority: z.number().int().nullable(),
  /** Which rule engine holds it: iptables (nft backend), iptables-legacy (x_tables) or native nft. */
  source: z.enum(['iptables', 'iptables-legacy', 'nft']).nullable(),
  /** ACCEPT, DROP, jump KUBE-SVC-…, DNAT to 10.0.0.5:8080, route via 10.0.0.1 dev eth0, … */
  verdict: z.string(),
  /** The packet after this step. */
  packet: PacketView,
  /** Packet fields this step changed (src, dst, sport, dport, mark, ctmark, oif). */
  changed: z.array(z.string()),
  note: z.string().nullable(),
});
export type TraceStep = z.infer<typeof TraceStep>;

export const Disposition = z.enum(['local', 'forwarded', 'dropped', 'rejected', 'undecided']);
export type Disposition = z.infer<typeof Disposition>;

export const PathEnd = z.object({
  host: z.string(),
  src: z.string(),
  dst: z.string(),
  sport: z.number().int().nullable(),
  dport: z.number().int().nullable(),
  oif: z.string().nullable(),
});
export type PathEnd = z.infer<typeof PathEnd>;

export const TraceLeg = z.object({
  verdict: z.string(),
  disposition: Disposition,
  steps: z.array(TraceStep),
  final: PathEnd,
});
export type TraceLeg = z.infer<typeof TraceLeg>;

export const TracePath = TraceLeg.extend({
  probability: z.number().min(0).max(1),
  /** The random choices this path took (statistic, numgen, multipath), in order. */
  choices: z.array(z.string()),
  /** The reply walked back to the sender with reverse NAT; null when not walked. */
  reply: TraceLeg.nullable(),
});
export type TracePath = z.infer<typeof TracePath>;

export const TraceResult = z.object({
  query: TraceQuery,
  /** What the query resolved to: the address a service name stood for, the entry namespace. */
  resolved: z.object({
    host: z.string(),
    src: z.string(),
    dst: z.string(),
    dport: z.number().int().nullable(),
  }),
  paths: z.array(TracePath),
});
export type TraceResult = z.infer<typeof TraceResult>;

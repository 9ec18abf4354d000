import { z } from 'zod';

/** What `trace` is asked: one packet and where it enters. */

export const TraceProto = z.enum(['tcp', 'udp', 'icmp', 'icmpv6', 'sctp']);
export type TraceProto = z.infer<typeof TraceProto>;

const Port = z.number().int().min(0).max(65535);

export const TraceEntry = z.discriminatedUnion('kind', [
  /** Received on an interface of a host (the first snapshot when host is null). */
  z.object({ kind: z.literal('iif'), host: z.string().nullable(), iface: z.string().min(1) }),
  /** Sent by a process in a pod's network namespace. */
  z.object({ kind: z.literal('pod'), pod: z.string().min(1) }),
  /** Sent by a process on the host itself. */
  z.object({ kind: z.literal('local'), host: z.string().nullable() }),
]);
export type TraceEntry = z.infer<typeof TraceEntry>;

export const TraceQuery = z.object({
  /** Source address; null lets the entry choose (a pod's address, the host's source selection). */
  src: z.string().nullable(),
  sport: Port.nullable(),
  /** An address, or a kube-proxy service `namespace/name:port` standing for its ClusterIP and port. */
  dst: z.string().min(1),
  dport: Port.nullable(),
  proto: TraceProto,
  entry: TraceEntry,
  /** `new`: the first packet of a connection; `established`: a later one (nat chains not consulted). */
  state: z.enum(['new', 'established']),
  /** The packet mark (skb->mark) it starts with. */
  mark: z.number().int().min(0).max(0xffffffff),
  /**
   * Take xt_recent lists (session affinity) as holding no entry for this client, as for its first
   * connection; otherwise `--rcheck`/`--update` are undecided (the lists are not collected).
   */
  assumeNewClient: z.boolean().optional(),
  /** Walk the reply back to the sender when the packet is delivered. */
  reply: z.boolean(),
});
export type TraceQuery = z.infer<typeof TraceQuery>;

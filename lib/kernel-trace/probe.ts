import { z } from 'zod';

/**
 * A probe: one real packet sent from inside a network namespace, recognisable in the trace of every
 * namespace it crosses by its protocol and source port (the echo id for ICMP), which NAT keeps when
 * the port is outside the ephemeral range (nf_nat only remaps a port whose tuple is taken).
 */
export const ProbeProto = z.enum(['tcp', 'udp', 'icmp', 'icmpv6']);
export type ProbeProto = z.infer<typeof ProbeProto>;

export const Probe = z
  .object({
    /** The namespace that sends it. */
    from: z.string(),
    proto: ProbeProto,
    /** Source address to bind; null lets the kernel choose from the route. */
    src: z.string().nullable(),
    /** Source port for tcp/udp, echo identifier for icmp/icmpv6. */
    sport: z.number().int().min(1).max(65535),
    dst: z.string(),
    /** Destination port; null for icmp/icmpv6. */
    dport: z.number().int().min(1).max(65535).nullable(),
  })
  .refine((p) => (p.proto === 'icmp' || p.proto === 'icmpv6') === (p.dport === null), {
    message: 'dport is required for tcp and udp and must be null for icmp and icmpv6',
  })
  .refine((p) => p.proto !== 'icmpv6' || probeFamily(p) === 'ip6', { message: 'icmpv6 needs an IPv6 dst' })
  .refine((p) => p.proto !== 'icmp' || probeFamily(p) === 'ip', { message: 'icmp needs an IPv4 dst' });
export type Probe = z.infer<typeof Probe>;

export function probeFamily(p: { dst: string }): 'ip' | 'ip6' {
  return p.dst.includes(':') ? 'ip6' : 'ip';
}

/** The l4proto name nft prints for the probe's protocol. */
export function probeL4proto(p: { proto: ProbeProto }): string {
  return p.proto === 'icmpv6' ? 'ipv6-icmp' : p.proto;
}

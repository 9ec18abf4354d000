import { z } from 'zod';

/**
 * The shapes iproute2 6.x prints with `-j`, as far as packetlens reads them. Objects are loose:
 * fields packetlens does not use pass through unchecked, so a newer iproute2 that adds fields still
 * parses. Field names are iproute2's.
 */

const uint = z.number().int().nonnegative();

/** iproute2 prints presence flags as `"key": null` (print_null); a boolean is accepted too. */
const presence = z.union([z.null(), z.boolean()]).optional();

/** Bridge-port and similar switches: booleans in 6.x, 0/1 in some older versions. */
const onOff = z.union([z.boolean(), z.literal(0), z.literal(1)]).optional();

export const RawLinkInfo = z.looseObject({
  info_kind: z.string().optional(),
  info_data: z.looseObject({}).optional(),
  info_slave_kind: z.string().optional(),
  info_slave_data: z.looseObject({}).optional(),
});

export const RawLink = z.looseObject({
  ifindex: z.number().int().positive(),
  ifname: z.string(),
  /** Peer or lower device by name, when it is in the same namespace; null for IFLA_LINK 0. */
  link: z.string().nullable().optional(),
  /** Peer or lower device by index, when it is in another namespace. */
  link_index: uint.optional(),
  link_netnsid: z.number().int().optional(),
  flags: z.array(z.string()),
  mtu: uint,
  master: z.string().optional(),
  operstate: z.string(),
  link_type: z.string(),
  address: z.string().optional(),
  linkinfo: RawLinkInfo.optional(),
  altnames: z.array(z.string()).optional(),
});
export type RawLink = z.infer<typeof RawLink>;

export const RawBridgeSlaveData = z.looseObject({
  state: z.string().optional(),
  hairpin: onOff,
  learning: onOff,
  flood: onOff,
  isolated: onOff,
  proxy_arp: onOff,
  neigh_suppress: onOff,
});
export type RawBridgeSlaveData = z.infer<typeof RawBridgeSlaveData>;

export const RawBridgeData = z.looseObject({
  vlan_filtering: onOff,
  stp_state: uint.optional(),
  nf_call_iptables: onOff,
  nf_call_ip6tables: onOff,
  nf_call_arptables: onOff,
});
export type RawBridgeData = z.infer<typeof RawBridgeData>;

export const RawVxlanData = z.looseObject({
  id: uint,
  local: z.string().optional(),
  local6: z.string().optional(),
  remote: z.string().optional(),
  remote6: z.string().optional(),
  group: z.string().optional(),
  group6: z.string().optional(),
  port: uint.optional(),
  link: z.string().optional(),
});
export type RawVxlanData = z.infer<typeof RawVxlanData>;

/** A link of `ip -j addr`; `-4`/`-6` leave out link_type and address, so only these are required. */
export const RawAddrLink = z.looseObject({
  ifindex: z.number().int().positive(),
  ifname: z.string(),
  addr_info: z.array(z.unknown()),
});

export const RawAddrInfo = z.looseObject({
  family: z.string(),
  local: z.string(),
  /** The peer of a point-to-point address; printed only when it differs from local. */
  address: z.string().optional(),
  prefixlen: z.number().int().min(0).max(128),
  broadcast: z.string().optional(),
  scope: z.string(),
  label: z.string().optional(),
});

/** RTA_VIA: a gateway of another family than the route (IPv4 routes via IPv6 next hops). */
const RawVia = z.looseObject({ family: z.string().optional(), host: z.string() });

export const RawNextHop = z.looseObject({
  gateway: z.string().optional(),
  via: RawVia.optional(),
  dev: z.string().optional(),
  weight: z.number().int().positive().optional(),
  flags: z.array(z.string()).optional(),
});

export const RawRoute = z.looseObject({
  type: z.string().optional(),
  dst: z.string(),
  from: z.string().optional(),
  gateway: z.string().optional(),
  via: RawVia.optional(),
  dev: z.string().optional(),
  table: z.string().optional(),
  protocol: z.string().optional(),
  scope: z.string().optional(),
  prefsrc: z.string().optional(),
  metric: uint.optional(),
  flags: z.array(z.string()),
  pref: z.string().optional(),
  nexthops: z.array(RawNextHop).optional(),
  nhid: uint.optional(),
  metrics: z.array(z.looseObject({})).optional(),
});
export type RawRoute = z.infer<typeof RawRoute>;

export const RawRule = z.looseObject({
  priority: uint,
  not: presence,
  src: z.string(),
  srclen: uint.optional(),
  dst: z.string().optional(),
  dstlen: uint.optional(),
  tos: z.string().optional(),
  dsfield: z.string().optional(),
  fwmark: z.string().optional(),
  fwmask: z.string().optional(),
  iif: z.string().optional(),
  iif_detached: presence,
  oif: z.string().optional(),
  oif_detached: presence,
  l3mdev: presence,
  uid_start: uint.optional(),
  uid_end: uint.optional(),
  ipproto: z.string().optional(),
  sport: uint.optional(),
  sport_start: uint.optional(),
  sport_end: uint.optional(),
  dport: uint.optional(),
  dport_start: uint.optional(),
  dport_end: uint.optional(),
  table: z.string().optional(),
  suppress_prefixlen: z.number().int().optional(),
  suppress_ifgroup: z.string().optional(),
  action: z.string().optional(),
  goto: uint.optional(),
  nop: presence,
  unresolved: presence,
});
export type RawRule = z.infer<typeof RawRule>;

export const RawNeigh = z.looseObject({
  dst: z.string(),
  dev: z.string(),
  lladdr: z.string().nullable().optional(),
  state: z.array(z.string()).optional(),
  router: presence,
  proxy: presence,
});
export type RawNeigh = z.infer<typeof RawNeigh>;

/** True for a presence flag that is set: `"key": null` or `"key": true`. */
export function isSet(flag: null | boolean | undefined): boolean {
  return flag === null || flag === true;
}

/** A 0/1 or boolean switch as a boolean; null when absent. */
export function onOffValue(v: boolean | 0 | 1 | undefined): boolean | null {
  return v === undefined ? null : v === true || v === 1;
}

import { z } from 'zod';
import { IpFamily } from './common';

/**
 * The routing side of a network namespace as iproute2's JSON output (`ip -j ...`) reports it:
 * interfaces, addresses, routes, policy rules and neighbours. Values keep iproute2's spelling (table
 * and protocol names, scopes, flags); where iproute2 leaves a field out because it holds the kernel
 * default, the default is filled in and the field's comment says so.
 */

/** The other end of a link: a veth peer, or the lower device of a macvlan, vlan or tunnel. */
export const LinkRef = z.object({
  /**
   * Its ifindex, counted in the namespace that owns it (`link_index` when that is another
   * namespace). Null when iproute2 printed a name this output does not list.
   */
  ifindex: z.number().int().nullable(),
  /** Its name; iproute2 prints it only when the device is in the same namespace. */
  name: z.string().nullable(),
  /**
   * `link_netnsid`: the device lives in another namespace, which this namespace calls by this id
   * (-1: it has no id here). Null when it is in the same namespace.
   */
  netnsId: z.number().int().nullable(),
});
export type LinkRef = z.infer<typeof LinkRef>;

/** A bridge port's settings (`info_slave_data` of a device whose master is a bridge). */
export const BridgePort = z.object({
  /** STP state: forwarding, blocking, disabled, listening or learning. */
  state: z.string().nullable(),
  /** Frames may leave through the port they came in on (a pod reaching itself through a service). */
  hairpin: z.boolean().nullable(),
  learning: z.boolean().nullable(),
  /** Unknown-unicast flooding to this port. */
  flood: z.boolean().nullable(),
  /** Isolated ports only talk to non-isolated ones. */
  isolated: z.boolean().nullable(),
  proxyArp: z.boolean().nullable(),
  neighSuppress: z.boolean().nullable(),
});
export type BridgePort = z.infer<typeof BridgePort>;

/** Bridge settings that change what netfilter sees (`info_data` of a bridge). */
export const BridgeInfo = z.object({
  vlanFiltering: z.boolean().nullable(),
  /** 0 off, 1 kernel STP, 2 user-space STP. */
  stpState: z.number().int().nullable(),
  /** Bridged IPv4 traffic goes through iptables (needs br_netfilter). */
  nfCallIptables: z.boolean().nullable(),
  nfCallIp6tables: z.boolean().nullable(),
  nfCallArptables: z.boolean().nullable(),
});
export type BridgeInfo = z.infer<typeof BridgeInfo>;

/** A vxlan device's tunnel (`info_data` of a vxlan). IPv6 endpoints come from the `*6` fields. */
export const VxlanInfo = z.object({
  /** The VNI. */
  id: z.number().int().nonnegative(),
  /** Source address of the outer packets, when fixed. */
  local: z.string().nullable(),
  /** Unicast remote endpoint. */
  remote: z.string().nullable(),
  /** Multicast group, for a vxlan that floods to a group instead of one remote. */
  group: z.string().nullable(),
  /** Outer UDP destination port. Null when iproute2 printed none. */
  port: z.number().int().nullable(),
  /** Underlay device the outer packets leave through. */
  dev: z.string().nullable(),
});
export type VxlanInfo = z.infer<typeof VxlanInfo>;

/** A network interface, from `ip -j -d link` (`-d` adds kind, bridge and vxlan details). */
export const Interface = z.object({
  index: z.number().int().positive(),
  name: z.string(),
  /** `linkinfo.info_kind`: veth, bridge, vxlan, dummy, macvlan, ...; null for loopback and physical NICs. */
  kind: z.string().nullable(),
  /** `linkinfo.info_slave_kind`: the kind of its master (bridge, bond, vrf), when it has one. */
  slaveKind: z.string().nullable(),
  mtu: z.number().int().nonnegative(),
  /** RFC 2863 state as iproute2 prints it: UP, DOWN, UNKNOWN, LOWERLAYERDOWN, ... */
  operState: z.string(),
  /** Interface flags as printed, e.g. `BROADCAST`, `UP`, `LOWER_UP`, `NOARP`. */
  flags: z.array(z.string()),
  /** Hardware address; null when the device has none (tun, some tunnels). */
  mac: z.string().nullable(),
  /** `link_type`: ether, loopback, none, ... */
  linkType: z.string(),
  /** Name of the bridge, bond or vrf this device is enslaved to. */
  master: z.string().nullable(),
  /** For a veth: its other end. */
  peer: LinkRef.nullable(),
  /** For a device stacked on another (macvlan, vlan, tunnel): the lower device. Veths use `peer`. */
  parent: LinkRef.nullable(),
  /** When this device is a bridge port. */
  bridgePort: BridgePort.nullable(),
  /** When this device is a bridge. */
  bridge: BridgeInfo.nullable(),
  /** When this device is a vxlan. */
  vxlan: VxlanInfo.nullable(),
  /** Alternative names (`ip link property add ... altname`). */
  altnames: z.array(z.string()),
});
export type Interface = z.infer<typeof Interface>;

/** One address of an interface, flattened from the `addr_info` lists of `ip -j addr`. */
export const Address = z.object({
  ifindex: z.number().int().positive(),
  ifname: z.string(),
  family: IpFamily,
  local: z.string(),
  prefixlen: z.number().int().min(0).max(128),
  /** host, link, global, site, or a number. */
  scope: z.string(),
  broadcast: z.string().nullable(),
  /** The other end of a point-to-point address (`peer`); the prefix then applies to it, not to `local`. */
  peer: z.string().nullable(),
  /** IPv4 label such as `eth0:1`; IPv6 addresses have none. */
  label: z.string().nullable(),
  /** Flags iproute2 reports as true: dynamic, secondary, temporary, deprecated, tentative, noprefixroute, ... */
  flags: z.array(z.string()),
});
export type Address = z.infer<typeof Address>;

export const RouteType = z.enum([
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'unspec',
  'xresolve',
]);
export type RouteType = z.infer<typeof RouteType>;

/** One path of a multipath route. */
export const NextHop = z.object({
  gateway: z.string().nullable(),
  dev: z.string().nullable(),
  /** Relative share of flows, 1 when iproute2 prints none. */
  weight: z.number().int().positive(),
  flags: z.array(z.string()),
});
export type NextHop = z.infer<typeof NextHop>;

/** A route, from `ip -j route show table all` and `ip -6 -j route show table all`. */
export const Route = z.object({
  family: IpFamily,
  /** Table name or number as iproute2 prints it: `main`, `local`, `default`, `100`. Absent in the output means main. */
  table: z.string(),
  /** Absent in the output means unicast. */
  type: RouteType,
  /** Destination with its prefix always written: `10.0.0.0/24`, `10.0.0.1/32`, `0.0.0.0/0`, `::/0`. */
  dst: z.string(),
  /** The destination exactly as iproute2 printed it: `default`, `10.0.0.1`, `fd00::/64`. */
  dstText: z.string(),
  /** Source prefix of a source-specific (IPv6 subtree) route, `from` in the output, with its prefix. */
  src: z.string().nullable(),
  gateway: z.string().nullable(),
  dev: z.string().nullable(),
  /** kernel, boot, static, dhcp, ra, bird, ... Absent in the output means boot. */
  protocol: z.string(),
  /** global, link, host, nowhere, ... Absent in the output means global (universe). */
  scope: z.string(),
  /** Preferred source address for locally generated packets. */
  prefsrc: z.string().nullable(),
  /**
   * The route priority. Null when the output has none, which the kernel treats as 0 (IPv4 omits a
   * zero metric; IPv6 always prints it).
   */
  metric: z.number().int().nonnegative().nullable(),
  /** Route flags as printed: onlink, linkdown, dead, offload, ... */
  flags: z.array(z.string()),
  /** IPv6 router preference: low, medium or high. */
  pref: z.string().nullable(),
  /** The paths of a multipath route; empty for a single-path route (gateway and dev are then set). */
  nexthops: z.array(NextHop),
  /** Nexthop object id, for routes that point to `ip nexthop` objects. */
  nhid: z.number().int().nullable(),
  /** Route metrics such as `{ mtu: 1400 }` or `{ features: ['ecn'] }`, as iproute2 printed them. */
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.string())])),
});
export type Route = z.infer<typeof Route>;

export const RuleAction = z.enum(['to_tbl', 'goto', 'nop', 'blackhole', 'unreachable', 'prohibit']);
export type RuleAction = z.infer<typeof RuleAction>;

/** An inclusive range of ports or uids. */
export const NumberRange = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});
export type NumberRange = z.infer<typeof NumberRange>;

/** A policy routing rule, from `ip -j rule` and `ip -6 -j rule`. */
export const PolicyRule = z.object({
  family: IpFamily,
  priority: z.number().int().nonnegative(),
  /** `not`: the rule applies to packets that do not match its selectors. */
  not: z.boolean(),
  /** Source prefix with its length always written, or `all`. */
  src: z.string(),
  /** Destination prefix with its length always written, or `all`. */
  dst: z.string(),
  iif: z.string().nullable(),
  /** The `iif` device does not exist (yet), so the rule matches nothing. */
  iifDetached: z.boolean(),
  oif: z.string().nullable(),
  oifDetached: z.boolean(),
  fwmark: z.number().int().nonnegative().nullable(),
  /** Mask the mark is compared under; 0xffffffff when only a mark was given. Null without fwmark. */
  fwmask: z.number().int().nonnegative().nullable(),
  /** TOS / DSCP selector as printed: hex (`0x10`) or a name from rt_dsfield. */
  tos: z.string().nullable(),
  /** IP protocol name or number, e.g. `tcp`. */
  ipproto: z.string().nullable(),
  sport: NumberRange.nullable(),
  dport: NumberRange.nullable(),
  uidrange: NumberRange.nullable(),
  /** Look up the table of the packet's L3 master device (VRF). */
  l3mdev: z.boolean(),
  /** Table name or number for `to_tbl` rules: `main`, `local`, `100`. */
  table: z.string().nullable(),
  action: RuleAction,
  /** Priority a `goto` rule jumps to. */
  goto: z.number().int().nonnegative().nullable(),
  /** A `goto` whose target priority has no rule. */
  unresolved: z.boolean(),
  /** Reject lookup results whose prefix is this long or shorter (`suppress_prefixlength`). */
  suppressPrefixlength: z.number().int().nullable(),
  /** Reject lookup results whose device is in this group. */
  suppressIfgroup: z.string().nullable(),
});
export type PolicyRule = z.infer<typeof PolicyRule>;

/** A neighbour (ARP / NDP) entry, from `ip -j neigh` and `ip -6 -j neigh`. */
export const Neighbour = z.object({
  family: IpFamily,
  dst: z.string(),
  dev: z.string(),
  /** Link-layer address; null while unresolved (INCOMPLETE, FAILED). */
  lladdr: z.string().nullable(),
  /** NUD states as printed, e.g. `["REACHABLE"]`, `["PERMANENT"]`, `["STALE"]`. */
  state: z.array(z.string()),
  /** The neighbour is an IPv6 router. */
  router: z.boolean(),
  /** A proxy entry (`ip neigh show proxy`): this host answers for dst. */
  proxy: z.boolean(),
});
export type Neighbour = z.infer<typeof Neighbour>;

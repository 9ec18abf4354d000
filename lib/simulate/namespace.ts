import type { IpFamily } from '../model/common';
import type { Address, Interface } from '../model/iproute';
import type { IpSet } from '../model/ipset';
import type { Snapshot } from '../model/snapshot';
import type { Ip } from './ip';
import { ipParse, prefixContains, prefixParse } from './ip';
import type { RoutingTables } from './routing';
import { routingTablesBuild, tableLookup } from './routing';

/**
 * One network namespace the simulator can walk a packet through: a host, or a pod of a host, with
 * what the walk looks up (addresses, interfaces, routing tables, ipsets, sysctls) indexed once.
 * Netfilter's own indexes live with the rule evaluators (see hooks.ts).
 */
export interface Namespace {
  /** How steps name it: the host's name, or `host/pod` for a pod. */
  name: string;
  snapshot: Snapshot;
  /** The host snapshot a pod belongs to (itself for a host). */
  parent: Snapshot;
  isPod: boolean;
  interfaces: ReadonlyMap<string, Interface>;
  interfacesByIndex: ReadonlyMap<number, Interface>;
  addresses: readonly Address[];
  /** Each address's parsed form, in the same order. */
  addressIps: readonly (Ip | null)[];
  routing: Readonly<Record<IpFamily, RoutingTables | null>>;
  ipsets: ReadonlyMap<string, IpSet>;
  sysctls: Readonly<Record<string, string>>;
}

export function namespaceBuild(snapshot: Snapshot, parent: Snapshot | null): Namespace {
  const isPod = parent !== null;
  const interfaces = new Map<string, Interface>();
  const byIndex = new Map<number, Interface>();
  for (const i of snapshot.interfaces) {
    interfaces.set(i.name, i);
    byIndex.set(i.index, i);
  }
  const routing = (family: IpFamily): RoutingTables | null =>
    snapshot.routingFamilies.includes(family)
      ? routingTablesBuild(family, snapshot.routes, snapshot.policyRules)
      : null;
  return {
    name: isPod ? `${parent.host.name}/${snapshot.host.name}` : snapshot.host.name,
    snapshot,
    parent: parent ?? snapshot,
    isPod,
    interfaces,
    interfacesByIndex: byIndex,
    addresses: snapshot.addresses,
    addressIps: snapshot.addresses.map((a) => ipParse(a.local)),
    routing: { ip: routing('ip'), ip6: routing('ip6') },
    ipsets: new Map(snapshot.ipsets.map((s) => [s.name, s])),
    sysctls: snapshot.sysctls,
  };
}

/** Every namespace of the given snapshots: each host and each of its pods. */
export function namespacesOf(snapshots: readonly Snapshot[]): Namespace[] {
  const out: Namespace[] = [];
  for (const s of snapshots) {
    out.push(namespaceBuild(s, null));
    for (const pod of s.pods) out.push(namespaceBuild(pod, s));
  }
  return out;
}

/** Address types as addrtype and `fib daddr type` name them. */
export type AddrType =
  | 'LOCAL'
  | 'BROADCAST'
  | 'MULTICAST'
  | 'UNICAST'
  | 'UNSPEC'
  | 'BLACKHOLE'
  | 'UNREACHABLE'
  | 'PROHIBIT'
  | 'ANYCAST'
  | 'THROW'
  | 'NAT'
  | 'XRESOLVE';

const multicast: Record<IpFamily, ReturnType<typeof prefixParse>> = {
  ip: prefixParse('224.0.0.0/4'),
  ip6: prefixParse('ff00::/8'),
};

/**
 * The address type the kernel's addrtype match finds: a lookup in the local table (local,
 * broadcast, multicast routes), otherwise unicast. With `dev`, LOCAL only counts for addresses of
 * that interface (`--limit-iface-in/out`). Null when routes were not collected.
 */
export function addrType(ns: Namespace, ip: Ip, dev: string | null = null): AddrType | null {
  if (ip.value === 0n) return 'UNSPEC';
  if (prefixContains(multicast[ip.family]!, ip)) return 'MULTICAST';
  if (ip.family === 'ip' && ip.value === 0xffffffffn) return 'BROADCAST';
  const tables = ns.routing[ip.family];
  if (!tables) return null;
  const route = tableLookup(tables, 'local', ip);
  if (!route) {
    const main = tableLookup(tables, 'main', ip);
    if (main && (main.type === 'blackhole' || main.type === 'unreachable' || main.type === 'prohibit'))
      return main.type.toUpperCase() as AddrType;
    return 'UNICAST';
  }
  if (route.type === 'local' && dev !== null && route.dev !== dev && route.dev !== 'lo') return 'UNICAST';
  if (route.type === 'unicast') return 'UNICAST';
  return route.type.toUpperCase() as AddrType;
}

/** Whether `ip` is one of this namespace's own addresses. */
export function isOwnAddress(ns: Namespace, ip: Ip): boolean {
  return addressOwner(ns, ip) !== null;
}

/** The interface holding an address, when this namespace has it. */
export function addressOwner(ns: Namespace, ip: Ip): Address | null {
  for (let i = 0; i < ns.addressIps.length; i++) {
    const own = ns.addressIps[i];
    if (own && own.family === ip.family && own.value === ip.value) return ns.addresses[i]!;
  }
  return null;
}

/** The sysctl value, or null when it was not collected. */
export function sysctl(ns: Namespace, key: string): string | null {
  return ns.sysctls[key] ?? null;
}

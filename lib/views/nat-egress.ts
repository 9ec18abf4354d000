import type { Condition } from '../analyze/flow-model';
import { ifacePatternCovers, ifacePatternParse } from '../analyze/iface-pattern';
import type { IpFamily } from '../model/common';
import type { Route } from '../model/iproute';
import type { Snapshot } from '../model/snapshot';
import { ipParse, ipText, prefixContains, prefixParse, type Prefix } from '../simulate/ip';
import { masqueradeSource } from '../simulate/nat';
import { namespaceBuild, type Namespace } from '../simulate/namespace';
import type { NatEgressInterface } from './nat-payload';

/**
 * Which interfaces a MASQUERADE flow's packets can leave by (routes to where they may go), and the
 * source address the kernel
 * gives them on each: the simulator's `masqueradeSource` (inet_select_addr) asked once per next hop
 * the routes give that interface, so an interface whose answer depends on the next hop says so.
 */

/** Interfaces routes send packets out of, per family (the local table and loopback aside). */
function routedInterfaces(routes: readonly Route[], family: IpFamily): Map<string, Route[]> {
  const out = new Map<string, Route[]>();
  for (const r of routes) {
    if (r.family !== family || r.table === 'local' || !['unicast', 'nat'].includes(r.type)) continue;
    const devs = r.nexthops.length ? r.nexthops.map((n) => n.dev) : [r.dev];
    for (const dev of devs) {
      if (!dev || dev === 'lo') continue;
      out.set(dev, [...(out.get(dev) ?? []), r]);
    }
  }
  return out;
}

/** The interface passes every `-o` / `oifname` condition of the flow. */
function ifaceAllowed(name: string, conditions: readonly Condition[], wildcard: '+' | '*'): boolean {
  const iface = ifacePatternParse(name, false, wildcard);
  return conditions.every((c) => ifacePatternCovers(ifacePatternParse(c.value, c.negate, wildcard), iface));
}

/** `a` and `b` share an address. */
function overlap(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && (a.len <= b.len ? prefixContains(a, b) : prefixContains(b, a));
}

/**
 * Whether packets the flow translates can take `route`: its destination meets every `-d` the flow
 * has and is not wholly inside one it excludes (`! -d 10.244.1.0/24` keeps them off the pod bridge).
 */
function routeReachable(route: Route, destination: readonly Condition[]): boolean {
  const dst = prefixParse(route.dst);
  if (!dst) return true;
  return destination.every((c) => {
    const p = prefixParse(c.value);
    if (!p || p.family !== dst.family) return true;
    return c.negate ? !(p.len <= dst.len && prefixContains(p, dst)) : overlap(p, dst);
  });
}

/** The next hops of a route on `dev`: its gateway, or (a direct route) its own destination network. */
function nextHops(route: Route, dev: string): string[] {
  const hops = route.nexthops.length
    ? route.nexthops.filter((n) => n.dev === dev).map((n) => n.gateway)
    : [route.gateway];
  return hops.map((g) => g ?? route.dst.split('/')[0]!);
}

function sourcesOn(ns: Namespace, dev: string, routes: readonly Route[], family: IpFamily) {
  const byAddress = new Map<string, string[]>();
  for (const route of routes) {
    for (const hop of nextHops(route, dev)) {
      const nexthop = ipParse(hop);
      if (!nexthop) continue;
      const src = masqueradeSource(ns, dev, nexthop, family);
      if (!src) continue;
      const key = ipText(src);
      const via = route.gateway || route.nexthops.length ? `${route.dstText} via ${hop}` : route.dstText;
      byAddress.set(key, [...(byAddress.get(key) ?? []), via]);
    }
  }
  const entries = [...byAddress];
  // One answer for every route: no need to say for which ones.
  if (entries.length === 1) return [{ address: entries[0]![0], when: null }];
  return entries.map(([address, vias]) => ({ address, when: `to ${vias.join(', ')}` }));
}

export interface EgressContext {
  ns: Namespace;
  routed: Record<IpFamily, Map<string, Route[]>>;
}

export function egressContext(snapshot: Snapshot): EgressContext {
  return {
    ns: namespaceBuild(snapshot, null),
    routed: { ip: routedInterfaces(snapshot.routes, 'ip'), ip6: routedInterfaces(snapshot.routes, 'ip6') },
  };
}

/**
 * The interfaces of `families` the flow's `-o` conditions allow, each with the address MASQUERADE
 * takes there; `fixed` (SNAT's `--to-source`) is the same on every one.
 */
export function egressInterfaces(
  ctx: EgressContext,
  families: readonly IpFamily[],
  destination: readonly Condition[],
  outInterface: readonly Condition[],
  nft: boolean,
  fixed: string | null,
): NatEgressInterface[] {
  const out: NatEgressInterface[] = [];
  for (const family of families) {
    for (const [name, all] of [...ctx.routed[family]].sort(([a], [b]) => a.localeCompare(b))) {
      const routes = all.filter((r) => routeReachable(r, destination));
      if (routes.length === 0 || !ifaceAllowed(name, outInterface, nft ? '*' : '+')) continue;
      if (fixed !== null) {
        out.push({ name, family, sources: [{ address: fixed, when: null }], problem: null });
        continue;
      }
      const sources = sourcesOn(ctx.ns, name, routes, family);
      out.push({
        name,
        family,
        sources,
        problem: sources.length
          ? null
          : `${name} has no primary global ${family === 'ip' ? 'IPv4' : 'IPv6'} address: the kernel drops what MASQUERADE cannot give a source`,
      });
    }
  }
  return out;
}

/** The families a rule of `family` (`ip`, `ip6`, or nft's `inet`) translates. */
export function ruleFamilies(family: string): IpFamily[] {
  if (family === 'ip' || family === 'ip6') return [family];
  return family === 'inet' ? ['ip', 'ip6'] : [];
}

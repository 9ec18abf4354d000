import type { Route } from '../model/iproute';
import type { Branch } from './branch';
import { branchFork, stepAdd } from './branch';
import type { Ip } from './ip';
import { ipParse, ipText, prefixContains, prefixParse } from './ip';
import type { Namespace } from './namespace';
import { sysctl } from './namespace';
import type { RouteDecision } from './routing';
import { fibLookup, policyRuleText, routeText } from './routing';

/**
 * Routing decisions as steps: the input route of a received packet (local delivery or forward,
 * with forwarding and rp_filter checks) and the output route of a locally generated one.
 */

export type Routed =
  | { kind: 'local'; branch: Branch }
  | { kind: 'forward'; branch: Branch; oif: string; nexthop: Ip }
  | { kind: 'end'; branch: Branch; disposition: 'dropped' | 'rejected' | 'undecided'; verdict: string };

function decide(ns: Namespace, b: Branch, iif: string): RouteDecision {
  const tables = ns.routing[b.pkt.family];
  if (!tables)
    return {
      kind: 'undecided',
      reason: `${b.pkt.family === 'ip' ? 'IPv4' : 'IPv6'} routes of ${ns.name} were not collected`,
    };
  return fibLookup(tables, {
    family: b.pkt.family,
    src: b.pkt.src,
    dst: b.pkt.dst,
    iif,
    oif: null,
    mark: b.pkt.mark,
    proto: b.pkt.proto,
    sport: b.pkt.sport,
    dport: b.pkt.dport,
  });
}

function routeNote(d: Extract<RouteDecision, { kind: 'route' }>): string {
  return `${d.rule ? `${policyRuleText(d.rule)} → ` : ''}${routeText(d.route)}`;
}

const gateways = new WeakMap<Route, Ip | null>();

/** The route's gateway, parsed once per route. */
function gatewayOf(route: Route): Ip | null {
  let ip = gateways.get(route);
  if (ip === undefined) gateways.set(route, (ip = route.gateway ? ipParse(route.gateway) : null));
  return ip;
}

/** One choice per nexthop of a multipath route (the kernel hashes the flow), else the route's own. */
function nexthopsOf(
  route: Route,
  dst: Ip,
): { dev: string | null; via: Ip; p: number; label: string | null }[] {
  if (route.nexthops.length > 0) {
    const total = route.nexthops.reduce((s, n) => s + n.weight, 0);
    return route.nexthops.map((n) => ({
      dev: n.dev,
      via: (n.gateway && ipParse(n.gateway)) || dst,
      p: n.weight / total,
      label: `multipath nexthop ${n.gateway ?? ''} dev ${n.dev ?? ''} (weight ${n.weight}/${total}, hashed per flow)`,
    }));
  }
  return [{ dev: route.dev, via: gatewayOf(route) ?? dst, p: 1, label: null }];
}

function endOf(d: RouteDecision, b: Branch, hook: string): Routed | null {
  const fam = b.pkt.family;
  if (d.kind === 'undecided') {
    stepAdd(b, {
      kind: 'undecided',
      hook,
      family: fam,
      table: null,
      chain: null,
      rule: null,
      verdict: 'undecided',
      note: d.reason,
    });
    return { kind: 'end', branch: b, disposition: 'undecided', verdict: d.reason };
  }
  if (d.kind === 'none') {
    stepAdd(b, {
      kind: 'drop',
      hook,
      family: fam,
      table: null,
      chain: null,
      rule: null,
      verdict: 'no route to host',
      note: d.reason,
    });
    return { kind: 'end', branch: b, disposition: 'rejected', verdict: 'no route to host' };
  }
  const type = d.kind === 'rule-action' ? d.action : d.route.type;
  const note = d.kind === 'route' ? routeNote(d) : policyRuleText(d.rule);
  const table = d.kind === 'route' ? d.route.table : null;
  if (type === 'blackhole') {
    stepAdd(b, {
      kind: 'drop',
      hook,
      family: fam,
      table,
      chain: null,
      rule: null,
      verdict: 'blackhole',
      note,
    });
    return { kind: 'end', branch: b, disposition: 'dropped', verdict: 'blackhole route' };
  }
  if (type === 'unreachable' || type === 'prohibit') {
    stepAdd(b, { kind: 'drop', hook, family: fam, table, chain: null, rule: null, verdict: type, note });
    return { kind: 'end', branch: b, disposition: 'rejected', verdict: `${type} route` };
  }
  return null;
}

/** The input route of a received packet (ip_route_input). */
export function routeInput(ns: Namespace, b: Branch): Routed[] {
  const iif = b.pkt.iif ?? 'lo';
  const d = decide(ns, b, iif);
  const ended = endOf(d, b, 'routing');
  if (ended) return [ended];
  if (d.kind !== 'route') return [];
  const fam = b.pkt.family;
  if (d.route.type === 'local' || d.route.type === 'broadcast' || d.route.type === 'multicast') {
    stepAdd(b, {
      kind: 'route',
      hook: 'routing',
      family: fam,
      table: d.route.table,
      chain: null,
      rule: null,
      verdict: `local delivery (${d.route.type})`,
      note: routeNote(d),
    });
    return [{ kind: 'local', branch: b }];
  }
  const fwdKey = fam === 'ip' ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding';
  const fwd = sysctl(ns, fwdKey);
  if (fwd === null) {
    stepAdd(b, {
      kind: 'undecided',
      hook: 'routing',
      family: fam,
      table: null,
      chain: null,
      rule: null,
      verdict: 'undecided',
      note: `${fwdKey} was not collected`,
    });
    return [{ kind: 'end', branch: b, disposition: 'undecided', verdict: `${fwdKey} was not collected` }];
  }
  if (fwd !== '1') {
    stepAdd(b, {
      kind: 'drop',
      hook: 'routing',
      family: fam,
      table: null,
      chain: null,
      rule: null,
      verdict: 'forwarding disabled',
      note: `${fwdKey} = ${fwd}`,
    });
    return [
      {
        kind: 'end',
        branch: b,
        disposition: fam === 'ip' ? 'rejected' : 'dropped',
        verdict: `forwarding disabled (${fwdKey} = ${fwd})`,
      },
    ];
  }
  const rp = rpFilter(ns, b, iif);
  if (rp) return [rp];
  return forwardChoices(d, b, 'routing');
}

function forwardChoices(d: Extract<RouteDecision, { kind: 'route' }>, b: Branch, hook: string): Routed[] {
  const hops = nexthopsOf(d.route, b.pkt.dst);
  return hops.map((h) => {
    const br = hops.length === 1 ? b : branchFork(b, h.p, h.label);
    const dev = h.dev ?? '';
    br.pkt.oif = dev;
    br.pkt.nexthop = h.via;
    stepAdd(br, {
      kind: 'route',
      hook,
      family: br.pkt.family,
      table: d.route.table,
      chain: null,
      rule: null,
      verdict: `${h.via && d.route.gateway ? `via ${ipText(h.via)} ` : ''}dev ${dev}`,
      note: routeNote(d),
    });
    return { kind: 'forward' as const, branch: br, oif: dev, nexthop: h.via };
  });
}

const rpFilterKeys = new Map<string, string>();

/** The interface's rp_filter sysctl name, built once per interface name. */
function rpFilterKey(iif: string): string {
  let key = rpFilterKeys.get(iif);
  if (key === undefined) {
    if (rpFilterKeys.size > 10_000) rpFilterKeys.clear();
    rpFilterKeys.set(iif, (key = `net.ipv4.conf.${iif}.rp_filter`));
  }
  return key;
}

/** Reverse-path filter of the incoming interface: max(all, iface), strict 1 or loose 2. */
function rpFilter(ns: Namespace, b: Branch, iif: string): Routed | null {
  if (b.pkt.family !== 'ip' || iif === 'lo') return null;
  const all = sysctl(ns, 'net.ipv4.conf.all.rp_filter');
  const dev = sysctl(ns, rpFilterKey(iif));
  const mode = Math.max(Number(all ?? 0), Number(dev ?? 0));
  if (mode === 0) return null;
  const tables = ns.routing.ip!;
  const d = fibLookup(tables, {
    family: 'ip',
    src: null,
    dst: b.pkt.src,
    iif: 'lo',
    oif: null,
    mark: b.pkt.mark,
    proto: b.pkt.proto,
    sport: null,
    dport: null,
  });
  const ok =
    d.kind === 'route' &&
    d.route.type !== 'local' &&
    (mode === 2 || d.route.dev === iif || d.route.nexthops.some((n) => n.dev === iif));
  if (ok || d.kind === 'undecided') return null;
  stepAdd(b, {
    kind: 'drop',
    hook: 'routing',
    family: 'ip',
    table: null,
    chain: null,
    rule: null,
    verdict: 'rp_filter',
    note: `rp_filter=${mode} (${mode === 1 ? 'strict' : 'loose'}) on ${iif}: the route back to ${ipText(b.pkt.src)} does not use ${iif}`,
  });
  return { kind: 'end', branch: b, disposition: 'dropped', verdict: `reverse path filter on ${iif}` };
}

/** The output route of a locally generated packet; chooses the source address when none is set. */
export function routeOutput(ns: Namespace, b: Branch, hook: string, chooseSource: boolean): Routed[] {
  const d = decide(ns, b, 'lo');
  const ended = endOf(d, b, hook);
  if (ended) return [ended];
  if (d.kind !== 'route') return [];
  if (chooseSource) {
    const src = sourceFor(ns, d.route, b.pkt.dst);
    if (!src) {
      stepAdd(b, {
        kind: 'undecided',
        hook,
        family: b.pkt.family,
        table: null,
        chain: null,
        rule: null,
        verdict: 'undecided',
        note: 'no source address to choose',
      });
      return [{ kind: 'end', branch: b, disposition: 'undecided', verdict: 'no source address' }];
    }
    b.pkt.src = src;
  }
  if (d.route.type === 'local' || d.route.type === 'broadcast') {
    b.pkt.oif = 'lo';
    b.pkt.nexthop = b.pkt.dst;
    stepAdd(b, {
      kind: 'route',
      hook,
      family: b.pkt.family,
      table: d.route.table,
      chain: null,
      rule: null,
      verdict: 'dev lo (a local address)',
      note: routeNote(d),
    });
    return [{ kind: 'forward', branch: b, oif: 'lo', nexthop: b.pkt.dst }];
  }
  return forwardChoices(d, b, hook);
}

/** The source a local socket gets: the route's prefsrc, else the outgoing interface's address. */
function sourceFor(ns: Namespace, route: Route, dst: Ip): Ip | null {
  if (route.prefsrc) return ipParse(route.prefsrc);
  const dev = route.dev ?? route.nexthops[0]?.dev ?? null;
  const family = dst.family;
  const candidates = ns.addresses.filter(
    (a) =>
      a.family === family && (dev === null || a.ifname === dev) && a.scope !== 'host' && a.scope !== 'link',
  );
  for (const a of candidates) {
    const net = prefixParse(`${a.local}/${a.prefixlen}`);
    if (net && prefixContains(net, dst)) return ipParse(a.local);
  }
  const any = candidates[0] ?? ns.addresses.find((a) => a.family === family && a.scope === 'global');
  return any ? ipParse(any.local) : null;
}

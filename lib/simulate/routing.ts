import type { IpFamily } from '../model/common';
import type { PolicyRule, Route } from '../model/iproute';
import type { Ip, Prefix } from './ip';
import { prefixContains, prefixParse } from './ip';
import type { TraceProto } from './query';

/**
 * The kernel's FIB lookup: policy rules by priority, each pointing at a table searched by longest
 * prefix then lowest metric. `throw` routes and rules whose table has no match fall through to the
 * next rule, as in fib_rules_lookup.
 */

export interface RouteKey {
  family: IpFamily;
  src: Ip | null;
  dst: Ip;
  /** Incoming interface; `lo` for locally generated packets, as policy rules see them. */
  iif: string;
  oif: string | null;
  mark: number;
  proto: TraceProto;
  sport: number | null;
  dport: number | null;
}

export type RouteDecision =
  | { kind: 'route'; rule: PolicyRule | null; route: Route; nexthops: Route['nexthops'] }
  | { kind: 'rule-action'; rule: PolicyRule; action: 'blackhole' | 'unreachable' | 'prohibit' }
  | { kind: 'none'; reason: string }
  | { kind: 'undecided'; reason: string };

interface CompiledRoute {
  route: Route;
  prefix: Prefix;
}

export interface RoutingTables {
  family: IpFamily;
  rules: readonly PolicyRule[];
  tables: ReadonlyMap<string, readonly CompiledRoute[]>;
}

/** Routes and rules of one family, ready for lookups (routes sorted longest prefix first). */
export function routingTablesBuild(
  family: IpFamily,
  routes: readonly Route[],
  rules: readonly PolicyRule[],
): RoutingTables {
  const tables = new Map<string, CompiledRoute[]>();
  for (const route of routes) {
    if (route.family !== family) continue;
    const prefix = prefixParse(route.dst, family);
    if (!prefix) continue;
    let list = tables.get(route.table);
    if (!list) tables.set(route.table, (list = []));
    list.push({ route, prefix });
  }
  for (const list of tables.values())
    list.sort((a, b) => b.prefix.len - a.prefix.len || (a.route.metric ?? 0) - (b.route.metric ?? 0));
  const sorted = rules.filter((r) => r.family === family).sort((a, b) => a.priority - b.priority);
  return { family, rules: sorted, tables };
}

const tableAliases: Readonly<Record<string, string>> = { '255': 'local', '254': 'main', '253': 'default' };

function tableName(name: string): string {
  return tableAliases[name] ?? name;
}

/** The best route of one table for `dst`, or null (no match). */
export function tableLookup(t: RoutingTables, table: string, dst: Ip): Route | null {
  const list = t.tables.get(tableName(table));
  if (!list) return null;
  for (const { route, prefix } of list) if (prefixContains(prefix, dst)) return route;
  return null;
}

function ifaceMatch(pattern: string | null, name: string | null): boolean {
  return pattern === null || pattern === name;
}

function ruleMatches(rule: PolicyRule, key: RouteKey): boolean | string {
  if (rule.uidrange)
    return `rule ${rule.priority} matches on the socket's uid (uidrange), which a snapshot does not tell`;
  if (rule.tos)
    return `rule ${rule.priority} matches on tos ${rule.tos}, which the packet query does not set`;
  const src = prefixParse(rule.src, key.family);
  const dst = prefixParse(rule.dst, key.family);
  if (!src || !dst) return `rule ${rule.priority}: cannot read from ${rule.src} to ${rule.dst}`;
  let ok =
    (key.src === null ? src.len === 0 : prefixContains(src, key.src)) &&
    prefixContains(dst, key.dst) &&
    ifaceMatch(rule.iif, key.iif) &&
    ifaceMatch(rule.oif, key.oif) &&
    (rule.fwmark === null || (key.mark & (rule.fwmask ?? 0xffffffff)) >>> 0 === rule.fwmark) &&
    (rule.ipproto === null || rule.ipproto === key.proto || rule.ipproto === 'ipproto-' + key.proto) &&
    (rule.sport === null ||
      (key.sport !== null && key.sport >= rule.sport.start && key.sport <= rule.sport.end)) &&
    (rule.dport === null ||
      (key.dport !== null && key.dport >= rule.dport.start && key.dport <= rule.dport.end));
  if (rule.not) ok = !ok;
  return ok;
}

/** fib_lookup: walk the policy rules, searching each rule's table. */
export function fibLookup(t: RoutingTables, key: RouteKey): RouteDecision {
  const rules = t.rules;
  if (rules.length === 0)
    return { kind: 'undecided', reason: `no ${key.family} policy rules were collected` };
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    const m = ruleMatches(rule, key);
    if (typeof m === 'string') return { kind: 'undecided', reason: m };
    if (!m) continue;
    switch (rule.action) {
      case 'nop':
        continue;
      case 'goto': {
        const target = rules.findIndex((r) => r.priority >= (rule.goto ?? Infinity));
        if (target < 0) return { kind: 'none', reason: `rule ${rule.priority} goes to a missing rule` };
        i = target - 1;
        continue;
      }
      case 'blackhole':
      case 'unreachable':
      case 'prohibit':
        return { kind: 'rule-action', rule, action: rule.action };
      case 'to_tbl': {
        const route = tableLookup(t, rule.table ?? 'main', key.dst);
        if (!route || route.type === 'throw') continue;
        if (rule.suppressPrefixlength !== null && prefixLen(route) <= rule.suppressPrefixlength) continue;
        return { kind: 'route', rule, route, nexthops: route.nexthops };
      }
    }
  }
  return { kind: 'none', reason: 'no route to host (no policy rule found a route)' };
}

function prefixLen(route: Route): number {
  if (route.dst === 'default') return 0;
  const slash = route.dst.indexOf('/');
  return slash < 0 ? (route.family === 'ip' ? 32 : 128) : Number(route.dst.slice(slash + 1));
}

const ruleTexts = new WeakMap<PolicyRule, string>();
const routeTexts = new WeakMap<Route, string>();

/** `ip rule` text as `ip rule show` prints it, for steps. */
export function policyRuleText(rule: PolicyRule): string {
  let text = ruleTexts.get(rule);
  if (text === undefined) ruleTexts.set(rule, (text = policyRuleTextOf(rule)));
  return text;
}

function policyRuleTextOf(rule: PolicyRule): string {
  const parts = [`${rule.priority}:`];
  if (rule.not) parts.push('not');
  parts.push('from', rule.src);
  if (rule.dst !== 'all') parts.push('to', rule.dst);
  if (rule.fwmark !== null)
    parts.push(
      'fwmark',
      `0x${rule.fwmark.toString(16)}${rule.fwmask !== null ? `/0x${rule.fwmask.toString(16)}` : ''}`,
    );
  if (rule.iif) parts.push('iif', rule.iif);
  if (rule.oif) parts.push('oif', rule.oif);
  if (rule.ipproto) parts.push('ipproto', rule.ipproto);
  if (rule.action === 'to_tbl') parts.push('lookup', rule.table ?? 'main');
  else if (rule.action === 'goto') parts.push('goto', String(rule.goto));
  else parts.push(rule.action);
  return parts.join(' ');
}

/** A route as `ip route` prints it, for steps. */
export function routeText(route: Route): string {
  let text = routeTexts.get(route);
  if (text === undefined) routeTexts.set(route, (text = routeTextOf(route)));
  return text;
}

function routeTextOf(route: Route): string {
  const parts: string[] = [];
  if (route.type !== 'unicast') parts.push(route.type);
  parts.push(route.dstText || route.dst);
  if (route.gateway) parts.push('via', route.gateway);
  if (route.dev) parts.push('dev', route.dev);
  if (route.table !== 'main') parts.push('table', route.table);
  if (route.protocol && route.protocol !== 'boot' && route.protocol !== 'unspec')
    parts.push('proto', route.protocol);
  if (route.scope && route.scope !== 'global') parts.push('scope', route.scope);
  if (route.prefsrc) parts.push('src', route.prefsrc);
  if (route.metric) parts.push('metric', String(route.metric));
  for (const nh of route.nexthops)
    parts.push(
      'nexthop',
      ...(nh.gateway ? ['via', nh.gateway] : []),
      ...(nh.dev ? ['dev', nh.dev] : []),
      'weight',
      String(nh.weight),
    );
  return parts.join(' ');
}

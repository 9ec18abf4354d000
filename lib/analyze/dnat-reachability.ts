import { z } from 'zod';
import type { IpFamily } from '../model/common';
import type { IptRule } from '../model/iptables';
import type { NftExpr } from '../model/nftables';
import type { Route } from '../model/iproute';
import type { Snapshot } from '../model/snapshot';
import { addressParse, addressSetParse } from './address-set';
import { dnatTargetParse } from './ipt-eval';
import { RuleRef, iptRuleRef, nftRuleRef } from './rule-ref';

/**
 * DNAT targets no route of the host reaches: for each address a DNAT rewrites to, the longest
 * matching route of each routing table the policy rules use (local, main and default when none
 * were collected). Reachable when any of them has a usable route; unroutable when none has one, or
 * every match is a blackhole, unreachable or prohibit route. Families whose routes were not
 * collected are not checked, and said so.
 */

export const UnroutableDnat = z.object({
  address: z.string(),
  rule: RuleRef,
  /** `no route`, or the route that refuses it, e.g. `blackhole 10.0.0.0/8 (table main)`. */
  reason: z.string(),
});
export type UnroutableDnat = z.infer<typeof UnroutableDnat>;

export const DnatReachability = z.object({
  /** DNAT target addresses checked. */
  checked: z.number().int().nonnegative(),
  unroutable: z.array(UnroutableDnat),
  /** Families with DNAT rules whose routes the snapshot does not hold. */
  notChecked: z.array(z.enum(['ip', 'ip6'])),
});
export type DnatReachability = z.infer<typeof DnatReachability>;

const REFUSING = new Set(['blackhole', 'unreachable', 'prohibit']);

interface Target {
  address: string;
  family: IpFamily;
  rule: () => RuleRef;
}

function familyOf(address: string): IpFamily {
  return address.includes(':') ? 'ip6' : 'ip';
}

function nftAddresses(e: NftExpr | undefined, out: string[]): void {
  if (!e) return;
  if (e.kind === 'immediate' && typeof e.value === 'string') out.push(e.value);
  else if (e.kind === 'concat') nftAddresses(e.items[0], out);
  else if (e.kind === 'elem') nftAddresses(e.value, out);
  else if (e.kind === 'mapping') nftAddresses(e.value, out);
  else if (e.kind === 'set') for (const x of e.elements) nftAddresses(x, out);
  else if (e.kind === 'map') nftAddresses(e.data, out);
}

function isDnat(t: IptRule['target']): boolean {
  return t !== null && 'options' in t && t.name === 'DNAT';
}

/** The DNAT targets of the snapshot; a family whose routes were not collected only says it has some. */
function targetsOf(snapshot: Snapshot, notChecked: Set<IpFamily>): Target[] {
  const out: Target[] = [];
  for (const dump of snapshot.netfilter.iptables)
    for (const table of dump.tables) {
      if (table.name !== 'nat') continue;
      if (!snapshot.routingFamilies.includes(dump.family)) {
        if (table.chains.some((c) => c.rules.some((r) => isDnat(r.target)))) notChecked.add(dump.family);
        continue;
      }
      for (const chain of table.chains)
        for (const rule of chain.rules) {
          const t = rule.target;
          if (!t || !('options' in t) || t.name !== 'DNAT') continue;
          const to = t.options.toDestination?.value;
          const address = to ? dnatTargetParse(to, dump.family).address : null;
          // A range `a-b`: its first address stands for it.
          if (address)
            out.push({
              address: address.split('-')[0]!,
              family: dump.family,
              rule: () => iptRuleRef(dump, table, chain, rule),
            });
        }
    }
  for (const table of snapshot.netfilter.nftables?.tables ?? []) {
    if (table.managedBy !== null) continue;
    for (const chain of table.chains)
      for (const rule of chain.rules)
        for (const s of rule.stmts) {
          if (s.kind !== 'nat' || s.type !== 'dnat') continue;
          const addresses: string[] = [];
          if (s.addr?.kind === 'map' && s.addr.data.kind === 'setref') {
            const name = s.addr.data.name;
            for (const e of table.sets.find((x) => x.name === name)?.elements ?? [])
              nftAddresses(e, addresses);
          } else nftAddresses(s.addr, addresses);
          for (const a of addresses)
            out.push({ address: a, family: familyOf(a), rule: () => nftRuleRef(table, chain, rule) });
        }
  }
  return out;
}

interface TableRoutes {
  table: string;
  routes: { route: Route; from: bigint; to: bigint; len: number }[];
}

function routeTables(snapshot: Snapshot, family: IpFamily): TableRoutes[] {
  const rules = snapshot.policyRules.filter(
    (r) => r.family === family && r.action === 'to_tbl' && r.table !== null,
  );
  const names = rules.length
    ? [...new Set(rules.sort((a, b) => a.priority - b.priority).map((r) => r.table!))]
    : ['local', 'main', 'default'];
  return names.map((table) => ({
    table,
    routes: snapshot.routes
      .filter((r) => r.family === family && r.table === table)
      .flatMap((route) => {
        const set = addressSetParse(route.dst, family);
        const len = Number(route.dst.split('/')[1] ?? (family === 'ip' ? 32 : 128));
        return set ? [{ route, from: set.ranges[0]![0], to: set.ranges[0]![1], len }] : [];
      }),
  }));
}

function lookup(
  tables: readonly TableRoutes[],
  address: bigint,
): { usable: boolean; refusal: string | null } {
  let refusal: string | null = null;
  for (const t of tables) {
    let best: TableRoutes['routes'][number] | null = null;
    for (const r of t.routes)
      if (address >= r.from && address <= r.to && (!best || r.len > best.len)) best = r;
    if (!best || best.route.type === 'throw') continue;
    if (!REFUSING.has(best.route.type)) return { usable: true, refusal: null };
    refusal ??= `${best.route.type} ${best.route.dstText} (table ${t.table})`;
  }
  return { usable: false, refusal };
}

export function dnatReachability(snapshot: Snapshot): DnatReachability {
  const notChecked = new Set<IpFamily>();
  const targets = targetsOf(snapshot, notChecked);
  const result: DnatReachability = { checked: 0, unroutable: [], notChecked: [] };
  const tables = new Map<IpFamily, TableRoutes[]>();
  const seen = new Map<string, { usable: boolean; refusal: string | null }>();
  for (const t of targets) {
    if (!snapshot.routingFamilies.includes(t.family)) {
      notChecked.add(t.family);
      continue;
    }
    const value = addressParse(t.address, t.family);
    if (value === null) continue;
    let routes = tables.get(t.family);
    if (!routes) tables.set(t.family, (routes = routeTables(snapshot, t.family)));
    const key = `${t.family} ${t.address}`;
    let found = seen.get(key);
    if (!found) {
      result.checked++;
      seen.set(key, (found = lookup(routes, value)));
    }
    const { usable, refusal } = found;
    if (!usable)
      result.unroutable.push({ address: t.address, rule: t.rule(), reason: refusal ?? 'no route' });
  }
  result.notChecked = [...notChecked].sort();
  return result;
}

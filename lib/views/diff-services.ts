import { z } from 'zod';
import type { DiffResult } from '../analyze/diff';
import { Probability } from '../analyze/flow-model';
import type { FlowsResult } from '../analyze/flows';
import { pageOf } from './diff-view';

/**
 * The Diff view's services: kube-proxy services added, removed, or whose endpoints changed, each
 * endpoint with the share of new connections it gets on either side (from the NAT flows), so a
 * rollout from 3 endpoints to 2 reads as 1/3 → 1/2. A service whose endpoints stayed but whose
 * shares changed is listed too.
 */

export const diffServicesPageSize = 50;

export const EndpointShare = z.object({
  /** `address:port` as the DNAT writes it. */
  endpoint: z.string(),
  change: z.enum(['added', 'removed', 'kept']),
  /** The endpoint's share in A and in B; null where it is absent or no share can be stated. */
  a: Probability.nullable(),
  b: Probability.nullable(),
});
export type EndpointShare = z.infer<typeof EndpointShare>;

export const DiffServiceEntry = z.object({
  mode: z.enum(['iptables', 'nftables']),
  family: z.string(),
  /** `namespace/name:port`, or the service chain when the rules do not name it. */
  service: z.string(),
  status: z.enum(['added', 'removed', 'changed']),
  endpoints: z.array(EndpointShare),
});
export type DiffServiceEntry = z.infer<typeof DiffServiceEntry>;

export const DiffServiceQuery = z.object({
  page: z.coerce.number().int().positive().default(1),
  q: z.string().max(200).default(''),
});

export const DiffServicePage = z.object({
  page: z.number().int().positive(),
  pages: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Services whose endpoints stayed the same while their shares changed (not in the diff's counts). */
  sharesChanged: z.number().int().nonnegative(),
  services: z.array(DiffServiceEntry),
});
export type DiffServicePage = z.infer<typeof DiffServicePage>;

/** Endpoint shares per kube-proxy service: `mode family service` → endpoint → share. */
export type ServiceShares = Map<string, Map<string, Probability | null>>;

const key = (mode: string, family: string, service: string) => `${mode} ${family} ${service}`;

/**
 * The shares of each service's endpoints for a connection from anywhere: its ClusterIP flow with
 * cluster traffic policy when it has one, and that flow's unconditional branch.
 */
export function serviceShares(flows: FlowsResult): ServiceShares {
  const rank = (f: FlowsResult['dnat'][number]) =>
    f.owner.kind !== 'kube-proxy'
      ? 9
      : (f.owner.serviceKind === 'ClusterIP' ? 0 : 2) + (f.owner.trafficPolicy === 'Cluster' ? 0 : 1);
  const best = new Map<string, FlowsResult['dnat'][number]>();
  for (const f of flows.dnat) {
    if (f.owner.kind !== 'kube-proxy') continue;
    const name = f.owner.service ?? f.owner.serviceChain;
    if (!name) continue;
    const k = key(f.owner.mode, f.entry.family, name);
    const known = best.get(k);
    if (!known || rank(f) < rank(known)) best.set(k, f);
  }
  const out: ServiceShares = new Map();
  for (const [k, f] of best) {
    const branch = f.branches.find((b) => b.when.length === 0) ?? f.branches[0];
    out.set(k, new Map((branch?.endpoints ?? []).map((e) => [e.to, e.probability])));
  }
  return out;
}

function sameShare(x: Probability | null | undefined, y: Probability | null | undefined): boolean {
  return (x?.value ?? null) === (y?.value ?? null) && (x?.fraction ?? null) === (y?.fraction ?? null);
}

function entry(
  mode: DiffServiceEntry['mode'],
  family: string,
  service: string,
  status: DiffServiceEntry['status'],
  added: readonly string[],
  removed: readonly string[],
  a: ServiceShares,
  b: ServiceShares,
): DiffServiceEntry {
  const sa = a.get(key(mode, family, service));
  const sb = b.get(key(mode, family, service));
  const listed = new Set([...removed, ...added]);
  const kept = [...(sb?.keys() ?? [])].filter((e) => sa?.has(e) && !listed.has(e));
  const share = (e: string, change: EndpointShare['change']): EndpointShare => ({
    endpoint: e,
    change,
    a: change === 'added' ? null : (sa?.get(e) ?? null),
    b: change === 'removed' ? null : (sb?.get(e) ?? null),
  });
  return {
    mode,
    family,
    service,
    status,
    endpoints: [
      ...removed.map((e) => share(e, 'removed')),
      ...added.map((e) => share(e, 'added')),
      ...kept.map((e) => share(e, 'kept')),
    ],
  };
}

/** Every service the diff names, and those whose shares alone changed, sorted by name. */
export function diffServiceList(
  d: DiffResult,
  a: ServiceShares,
  b: ServiceShares,
): { services: DiffServiceEntry[]; sharesChanged: number } {
  const out: DiffServiceEntry[] = [];
  const listed = new Set<string>();
  for (const s of d.services.added) {
    const name = s.service ?? s.chain ?? '';
    listed.add(key(s.mode, s.family, name));
    out.push(entry(s.mode, s.family, name, 'added', s.endpoints, [], a, b));
  }
  for (const s of d.services.removed) {
    const name = s.service ?? s.chain ?? '';
    listed.add(key(s.mode, s.family, name));
    out.push(entry(s.mode, s.family, name, 'removed', [], s.endpoints, a, b));
  }
  for (const s of d.services.changed) {
    listed.add(key(s.mode, s.family, s.service));
    out.push(entry(s.mode, s.family, s.service, 'changed', s.added, s.removed, a, b));
  }
  let sharesChanged = 0;
  for (const [k, sa] of a) {
    const sb = b.get(k);
    if (!sb || listed.has(k) || sa.size !== sb.size) continue;
    if ([...sa].every(([e, p]) => sb.has(e) && sameShare(p, sb.get(e)))) continue;
    const [mode, family, ...rest] = k.split(' ');
    out.push(entry(mode as DiffServiceEntry['mode'], family!, rest.join(' '), 'changed', [], [], a, b));
    sharesChanged++;
  }
  out.sort((x, y) => (x.service < y.service ? -1 : x.service > y.service ? 1 : 0));
  return { services: out, sharesChanged };
}

export function diffServicePage(
  list: { services: readonly DiffServiceEntry[]; sharesChanged: number },
  q: z.output<typeof DiffServiceQuery>,
): DiffServicePage {
  const needle = q.q.trim().toLowerCase();
  const matching = needle
    ? list.services.filter(
        (s) =>
          s.service.toLowerCase().includes(needle) || s.endpoints.some((e) => e.endpoint.includes(needle)),
      )
    : list.services;
  const { pages, items } = pageOf(matching, q.page, diffServicesPageSize);
  return { page: q.page, pages, total: matching.length, sharesChanged: list.sharesChanged, services: items };
}

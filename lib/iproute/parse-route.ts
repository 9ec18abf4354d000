import type { IpFamily } from '../model/common';
import type { NextHop, Route } from '../model/iproute';
import { RouteType as RouteTypeSchema } from '../model/iproute';
import { quoteForError } from '../parse/parse-error';
import type { PrefixText } from './address-text';
import { cidrText, prefixTextParse } from './address-text';
import type { AddressField } from './entry-family';
import { entryFamily, fallbackFamily } from './entry-family';
import type { IpJsonSource } from './ip-json';
import { ipJsonArray, ipJsonCheck, ipJsonFail } from './ip-json';
import type { RawRoute } from './raw-shapes';
import { RawRoute as RawRouteSchema } from './raw-shapes';

export interface ParseIpRouteOptions {
  /** Named in every error. */
  file: string;
  /** Family of routes whose fields do not tell it; see `parseIpRoute`. */
  family?: IpFamily;
}

interface Pending {
  raw: RawRoute;
  index: number;
  dst: PrefixText;
  from: PrefixText | null;
  family: IpFamily | null;
}

/**
 * Reads `ip -j route show table all` / `ip -6 -j route show table all` (a plain `ip -j route`
 * too; `-d` output as well). iproute2 6.x lists both families in one `ip -j route show table all`,
 * so each route's family comes from its own addresses (an IPv6 route always carries `pref`). A route
 * with no address at all, such as `blackhole default`, takes the family the file's other routes
 * show, else `opts.family`, else IPv4. Throws only ParseError.
 */
export function parseIpRoute(text: string, opts: ParseIpRouteOptions): Route[] {
  const src: IpJsonSource = { text, file: opts.file, what: 'the JSON array `ip -j route` prints' };
  const pending: Pending[] = [];
  const seen = new Set<IpFamily>();
  ipJsonArray(src).forEach((value, index) => {
    const raw = ipJsonCheck(src, RawRouteSchema, value, [index]);
    const dst = prefixOf(src, raw.dst, [index, 'dst']);
    const from = raw.from === undefined ? null : prefixOf(src, raw.from, [index, 'from']);
    const fields: AddressField[] = [];
    if (dst.address) fields.push({ path: [index, 'dst'], text: dst.address });
    if (from?.address) fields.push({ path: [index, 'from'], text: from.address });
    if (raw.gateway !== undefined) fields.push({ path: [index, 'gateway'], text: raw.gateway });
    if (raw.prefsrc !== undefined) fields.push({ path: [index, 'prefsrc'], text: raw.prefsrc });
    raw.nexthops?.forEach((nh, i) => {
      if (nh.gateway !== undefined)
        fields.push({ path: [index, 'nexthops', i, 'gateway'], text: nh.gateway });
    });
    // Gateways given as `via` are of the other family by design (RFC 5549): validated, not evidence.
    if (raw.via) entryFamily(src, [{ path: [index, 'via', 'host'], text: raw.via.host }]);
    raw.nexthops?.forEach((nh, i) => {
      if (nh.via) entryFamily(src, [{ path: [index, 'nexthops', i, 'via', 'host'], text: nh.via.host }]);
    });
    let family = entryFamily(src, fields);
    // The kernel sends RTA_PREF for every IPv6 route and for no IPv4 one.
    if (!family && raw.pref !== undefined) family = 'ip6';
    if (family) seen.add(family);
    pending.push({ raw, index, dst, from, family });
  });
  const fallback = fallbackFamily(seen, opts.family);
  return pending.map((p) => routeFrom(src, p, p.family ?? fallback));
}

function prefixOf(src: IpJsonSource, text: string, path: (string | number)[]): PrefixText {
  const prefix = prefixTextParse(text);
  if (!prefix) ipJsonFail(src, path, `expected default, an address or a prefix, got ${quoteForError(text)}`);
  return prefix;
}

function routeFrom(src: IpJsonSource, { raw, index, dst, from }: Pending, family: IpFamily): Route {
  const type = raw.type ?? 'unicast';
  const parsedType = RouteTypeSchema.safeParse(type);
  if (!parsedType.success) {
    ipJsonFail(
      src,
      [index, 'type'],
      `unknown route type ${quoteForError(type)}: expected ${RouteTypeSchema.options.join(', ')}`,
    );
  }
  const nexthops: NextHop[] = (raw.nexthops ?? []).map((nh) => ({
    gateway: nh.gateway ?? nh.via?.host ?? null,
    dev: nh.dev ?? null,
    // iproute2 prints rtnh_hops + 1; a nexthop without it has the default weight.
    weight: nh.weight ?? 1,
    flags: nh.flags ?? [],
  }));
  return {
    family,
    table: raw.table ?? 'main',
    type: parsedType.data,
    dst: cidrText(family, dst.address, dst.len),
    dstText: raw.dst,
    src: from ? cidrText(family, from.address, from.len) : null,
    gateway: raw.gateway ?? raw.via?.host ?? null,
    dev: raw.dev ?? null,
    protocol: raw.protocol ?? 'boot',
    scope: raw.scope ?? 'global',
    prefsrc: raw.prefsrc ?? null,
    metric: raw.metric ?? null,
    flags: raw.flags,
    pref: raw.pref ?? null,
    nexthops,
    nhid: raw.nhid ?? null,
    metrics: metricsFrom(raw.metrics),
  };
}

/** `"metrics": [{ "mtu": 1400 }]` as one record of its scalar values. */
function metricsFrom(list: RawRoute['metrics']): Route['metrics'] {
  const out: Route['metrics'] = {};
  for (const obj of list ?? []) {
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v;
    }
  }
  return out;
}

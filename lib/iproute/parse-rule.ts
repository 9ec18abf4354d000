import type { IpFamily } from '../model/common';
import type { NumberRange, PolicyRule, RuleAction } from '../model/iproute';
import { RuleAction as RuleActionSchema } from '../model/iproute';
import { quoteForError } from '../parse/parse-error';
import type { PrefixText } from './address-text';
import { cidrText, prefixTextParse } from './address-text';
import type { AddressField } from './entry-family';
import { entryFamily, fallbackFamily } from './entry-family';
import type { IpJsonSource } from './ip-json';
import { ipJsonArray, ipJsonCheck, ipJsonFail } from './ip-json';
import type { JsonPath } from '../parse/json-text';
import type { RawRule } from './raw-shapes';
import { isSet, RawRule as RawRuleSchema } from './raw-shapes';

export interface ParseIpRuleOptions {
  /** Named in every error. */
  file: string;
  /** Family of the file when no rule in it has an address; see `parseIpRule`. */
  family?: IpFamily;
}

interface Pending {
  raw: RawRule;
  index: number;
  /** Null for `all`. */
  src: PrefixText | null;
  dst: PrefixText | null;
  family: IpFamily | null;
}

/**
 * Reads `ip -j rule` / `ip -6 -j rule`. Their output does not name the family: it comes from the
 * rules' addresses. A file whose rules have none (the three default rules, fwmark-only rules) takes
 * `opts.family`, else IPv4, as `ip rule` lists IPv4 unless given `-6`. Throws only ParseError.
 */
export function parseIpRule(text: string, opts: ParseIpRuleOptions): PolicyRule[] {
  const src: IpJsonSource = { text, file: opts.file, what: 'the JSON array `ip -j rule` prints' };
  const pending: Pending[] = [];
  const seen = new Set<IpFamily>();
  ipJsonArray(src).forEach((value, index) => {
    const raw = ipJsonCheck(src, RawRuleSchema, value, [index]);
    const srcPrefix = selector(src, raw.src, raw.srclen, [index, 'src']);
    const dstPrefix = raw.dst === undefined ? null : selector(src, raw.dst, raw.dstlen, [index, 'dst']);
    const fields: AddressField[] = [];
    if (srcPrefix?.address) fields.push({ path: [index, 'src'], text: srcPrefix.address });
    if (dstPrefix?.address) fields.push({ path: [index, 'dst'], text: dstPrefix.address });
    const family = entryFamily(src, fields);
    if (family) seen.add(family);
    pending.push({ raw, index, src: srcPrefix, dst: dstPrefix, family });
  });
  const fallback = fallbackFamily(seen, opts.family);
  return pending.map((p) => ruleFrom(src, p, p.family ?? fallback));
}

/** `from`/`to` as iproute2 splits them: address, then its length unless it is a host prefix. */
function selector(
  src: IpJsonSource,
  address: string,
  len: number | undefined,
  path: JsonPath,
): PrefixText | null {
  if (address === 'all' && len === undefined) return null;
  const text = len === undefined ? address : `${address}/${len}`;
  const prefix = text === 'default' ? null : prefixTextParse(text);
  if (!prefix) ipJsonFail(src, path, `expected all, an address or a prefix, got ${quoteForError(text)}`);
  return prefix;
}

function ruleFrom(
  src: IpJsonSource,
  { raw, index, src: from, dst: to }: Pending,
  family: IpFamily,
): PolicyRule {
  const fwmark = raw.fwmark === undefined ? null : mark(src, raw.fwmark, [index, 'fwmark']);
  const fwmask = raw.fwmask === undefined ? null : mark(src, raw.fwmask, [index, 'fwmask']);
  const hasMark = fwmark !== null || fwmask !== null;
  return {
    family,
    priority: raw.priority,
    not: isSet(raw.not),
    src: from ? cidrText(family, from.address, from.len) : 'all',
    dst: to ? cidrText(family, to.address, to.len) : 'all',
    iif: raw.iif ?? null,
    iifDetached: isSet(raw.iif_detached),
    oif: raw.oif ?? null,
    oifDetached: isSet(raw.oif_detached),
    // iproute2 leaves the mask out when it is 0xffffffff.
    fwmark: hasMark ? (fwmark ?? 0) : null,
    fwmask: hasMark ? (fwmask ?? 0xffffffff) : null,
    tos: raw.tos ?? raw.dsfield ?? null,
    ipproto: raw.ipproto ?? null,
    sport: range(src, index, 'sport', raw.sport, raw.sport_start, raw.sport_end),
    dport: range(src, index, 'dport', raw.dport, raw.dport_start, raw.dport_end),
    uidrange: range(src, index, 'uid', undefined, raw.uid_start, raw.uid_end),
    l3mdev: isSet(raw.l3mdev),
    table: raw.table ?? null,
    action: action(src, raw, index),
    goto: raw.goto ?? null,
    unresolved: isSet(raw.unresolved),
    suppressPrefixlength: raw.suppress_prefixlen ?? null,
    suppressIfgroup: raw.suppress_ifgroup ?? null,
  };
}

/** fwmark and fwmask are printed as `%#x`: `0x100`, or `0` for zero. */
function mark(src: IpJsonSource, text: string, path: JsonPath): number {
  const n = /^(0x[0-9a-f]{1,8}|\d{1,10})$/i.test(text) ? Number(text) : NaN;
  if (!(n <= 0xffffffff))
    ipJsonFail(src, path, `expected a 32-bit number such as 0x100, got ${quoteForError(text)}`);
  return n;
}

/** A single value (`sport`), or a `_start`/`_end` pair. */
function range(
  src: IpJsonSource,
  index: number,
  name: 'sport' | 'dport' | 'uid',
  single: number | undefined,
  start: number | undefined,
  end: number | undefined,
): NumberRange | null {
  if (single !== undefined) return { start: single, end: single };
  if (start === undefined && end === undefined) return null;
  if (start === undefined) ipJsonFail(src, [index], `expected ${name}_start with ${name}_end`);
  if (end === undefined) ipJsonFail(src, [index], `expected ${name}_end with ${name}_start`);
  return { start, end };
}

function action(src: IpJsonSource, raw: RawRule, index: number): RuleAction {
  if (raw.action !== undefined) {
    const parsed = RuleActionSchema.safeParse(raw.action);
    if (!parsed.success) {
      ipJsonFail(
        src,
        [index, 'action'],
        `unknown rule action ${quoteForError(raw.action)}: expected ${RuleActionSchema.options.join(', ')}`,
      );
    }
    return parsed.data;
  }
  if (raw.goto !== undefined) return 'goto';
  if (isSet(raw.nop)) return 'nop';
  return 'to_tbl';
}

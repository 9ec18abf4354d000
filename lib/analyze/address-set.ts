import ipaddr from 'ipaddr.js';
import type { IpFamily } from '../model/common';

/**
 * Sets of addresses as sorted, disjoint, inclusive intervals of integers, so that "is every address
 * of this rule's `-d` also in that rule's `-d`" is exact for CIDRs, ranges and their negations.
 */
export interface AddressSet {
  family: IpFamily;
  /** Sorted, non-overlapping, non-adjacent `[from, to]` pairs. */
  ranges: readonly (readonly [bigint, bigint])[];
}

function familyMax(family: IpFamily): bigint {
  return family === 'ip' ? 0xffffffffn : (1n << 128n) - 1n;
}

function addressValue(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  let v = 0n;
  for (const b of addr.toByteArray()) v = (v << 8n) | BigInt(b);
  return v;
}

/** An address as iptables or nft prints it (`[...]` around IPv6 allowed); null when it is not one. */
export function addressParse(text: string, family: IpFamily): bigint | null {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (family === 'ip') {
    // Dotted quads are most of what rule sets hold: read them without ipaddr.js's general parser.
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t);
    if (!m) return null;
    let v = 0;
    for (let i = 1; i <= 4; i++) {
      const part = m[i]!;
      const n = Number(part);
      if (n > 255 || (part.length > 1 && part[0] === '0')) return null;
      v = v * 256 + n;
    }
    return BigInt(v);
  }
  if (!ipaddr.IPv6.isValid(t)) return null;
  return addressValue(ipaddr.IPv6.parse(t));
}

// Rule sets repeat the same few prefixes (a pod CIDR in every service chain): parse each once.
const parsed = new Map<string, AddressSet | null>();
const PARSED_MAX = 4096;

/** `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `10.1.2.3`, `1.2.3.4-1.2.3.9`; null for anything else. */
export function addressSetParse(text: string, family: IpFamily): AddressSet | null {
  const host = family === 'ip' ? '/32' : '/128';
  if ((!text.includes('/') || text.endsWith(host)) && !text.includes('-')) {
    // A single address: no bit arithmetic, and too many distinct ones to be worth remembering.
    const v = addressParse(text.endsWith(host) ? text.slice(0, -host.length) : text, family);
    return v === null ? null : { family, ranges: [[v, v]] };
  }
  const key = `${family} ${text}`;
  let set = parsed.get(key);
  if (set === undefined) {
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(key, (set = addressSetParseUncached(text, family)));
  }
  return set;
}

function addressSetParseUncached(text: string, family: IpFamily): AddressSet | null {
  const dash = text.indexOf('-');
  if (dash > 0 && !text.includes('/')) {
    const from = addressParse(text.slice(0, dash), family);
    const to = addressParse(text.slice(dash + 1), family);
    if (from === null || to === null || from > to) return null;
    return { family, ranges: [[from, to]] };
  }
  const slash = text.indexOf('/');
  const base = addressParse(slash < 0 ? text : text.slice(0, slash), family);
  if (base === null) return null;
  const bits = family === 'ip' ? 32 : 128;
  let len = bits;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(lenText)) len = Number(lenText);
    else {
      // A dotted or colon mask, as old iptables-save printed it; non-contiguous masks are not sets of ranges.
      const mask = addressParse(lenText, family);
      if (mask === null) return null;
      const maskBits = mask.toString(2).padStart(bits, '0');
      if (!/^1*0*$/.test(maskBits)) return null;
      len = maskBits.indexOf('0') < 0 ? bits : maskBits.indexOf('0');
    }
    if (len > bits) return null;
  }
  const host = (1n << BigInt(bits - len)) - 1n;
  const from = base & ~host & familyMax(family);
  return { family, ranges: [[from, from | host]] };
}

export function addressSetComplement(s: AddressSet): AddressSet {
  const out: [bigint, bigint][] = [];
  let next = 0n;
  for (const [from, to] of s.ranges) {
    if (from > next) out.push([next, from - 1n]);
    next = to + 1n;
  }
  const max = familyMax(s.family);
  if (next <= max) out.push([next, max]);
  return { family: s.family, ranges: out };
}

export function addressSetIntersect(a: AddressSet, b: AddressSet): AddressSet {
  const out: [bigint, bigint][] = [];
  let i = 0;
  let j = 0;
  while (i < a.ranges.length && j < b.ranges.length) {
    const [af, at] = a.ranges[i]!;
    const [bf, bt] = b.ranges[j]!;
    const from = af > bf ? af : bf;
    const to = at < bt ? at : bt;
    if (from <= to) out.push([from, to]);
    if (at < bt) i++;
    else j++;
  }
  return { family: a.family, ranges: out };
}

export function addressSetEmpty(s: AddressSet): boolean {
  return s.ranges.length === 0;
}

/** Every address of `inner` is in `outer`. */
export function addressSetCovers(outer: AddressSet, inner: AddressSet): boolean {
  let j = 0;
  for (const [from, to] of inner.ranges) {
    while (j < outer.ranges.length && outer.ranges[j]![1] < from) j++;
    const o = outer.ranges[j];
    if (!o || o[0] > from || o[1] < to) return false;
  }
  return true;
}

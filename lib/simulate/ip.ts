import ipaddr from 'ipaddr.js';
import type { IpFamily } from '../model/common';

/**
 * Addresses as the simulator compares them: a family and a bigint, so that prefix tests are one
 * shift for IPv4 and IPv6 alike. Text is parsed once per distinct string (rules repeat addresses).
 */

export interface Ip {
  family: IpFamily;
  value: bigint;
  /** The text, once computed (steps show the same addresses many times). */
  text?: string;
}

export interface Prefix {
  family: IpFamily;
  /** The network address with host bits cleared. */
  value: bigint;
  len: number;
}

const bitsOf = (family: IpFamily): number => (family === 'ip' ? 32 : 128);

const ipCache = new Map<string, Ip | null>();
const prefixCache = new Map<string, Prefix | null>();

/**
 * A dotted quad as ipaddr.js's isValidFourPartDecimal takes it (decimal parts 0-255, no leading
 * zeros), which is also how ipText writes it. Reading one is cheaper than finding it in a cache of
 * 100,000 addresses.
 */
function ipv4Parse(text: string): Ip | null {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return null;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
      continue;
    }
    if (c < 48 || c > 57 || (digits > 0 && part === 0)) return null;
    part = part * 10 + (c - 48);
    digits++;
    if (part > 255) return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return { family: 'ip', value: BigInt(value * 256 + part), text };
}

/** An address from its text (dotted quad or IPv6), or null when the text is not one. */
export function ipParse(text: string): Ip | null {
  const v4 = ipv4Parse(text);
  if (v4) return v4;
  const cached = ipCache.get(text);
  if (cached !== undefined) return cached;
  let ip: Ip | null = null;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const b = ipaddr.IPv4.parse(text).toByteArray();
    ip = { family: 'ip', value: BigInt(((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!) };
  } else if (!text.includes('%') && ipaddr.IPv6.isValid(text)) {
    let v = 0n;
    for (const part of ipaddr.IPv6.parse(text).parts) v = (v << 16n) | BigInt(part);
    ip = { family: 'ip6', value: v };
  }
  if (ipCache.size > 100_000) ipCache.clear();
  ipCache.set(text, ip);
  return ip;
}

function maskTable(bits: number): bigint[] {
  const all = (1n << BigInt(bits)) - 1n;
  return Array.from({ length: bits + 1 }, (_, len) => all ^ ((1n << BigInt(bits - len)) - 1n));
}
const masks = { ip: maskTable(32), ip6: maskTable(128) };

function mask(family: IpFamily, len: number): bigint {
  return masks[family][len]!;
}

const everything: Readonly<Record<IpFamily, Prefix>> = {
  ip: { family: 'ip', value: 0n, len: 0 },
  ip6: { family: 'ip6', value: 0n, len: 0 },
};

/** `a.b.c.d`, `a.b.c.d/len`, IPv6 likewise, and iproute2's `default`; null when not one. */
export function prefixParse(text: string, family?: IpFamily): Prefix | null {
  if (text === 'default' || text === 'all') return family ? everything[family] : null;
  const cached = prefixCache.get(text);
  if (cached !== undefined) return cached;
  const prefix = prefixParseText(text);
  if (prefixCache.size > 100_000) prefixCache.clear();
  prefixCache.set(text, prefix);
  return prefix;
}

function prefixParseText(text: string): Prefix | null {
  const slash = text.indexOf('/');
  const ip = ipParse(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return null;
  const bits = bitsOf(ip.family);
  let len = bits;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(lenText)) len = Number(lenText);
    else {
      // iptables prints a mask that is not a plain length as a dotted quad.
      const m = ipParse(lenText);
      if (!m || m.family !== ip.family) return null;
      let ones = 0;
      while (ones < bits && ((m.value >> BigInt(bits - 1 - ones)) & 1n) === 1n) ones++;
      if (m.value !== mask(ip.family, ones)) return null; // a non-contiguous mask: not a prefix
      len = ones;
    }
  }
  if (len > bits) return null;
  return { family: ip.family, value: ip.value & mask(ip.family, len), len };
}

export function prefixContains(p: Prefix, ip: Ip): boolean {
  return p.family === ip.family && (ip.value & mask(p.family, p.len)) === p.value;
}

export function ipText(ip: Ip): string {
  return (ip.text ??= ipTextOf(ip));
}

function ipTextOf(ip: Ip): string {
  if (ip.family === 'ip') {
    const n = Number(ip.value);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  return ipaddr.fromByteArray(parts.flatMap((p) => [p >> 8, p & 255])).toString();
}

/** The canonical text of an address string (RFC 5952 for IPv6), or the input when it is not one. */
export function ipCanonical(text: string): string {
  const ip = ipParse(text);
  return ip ? ipText(ip) : text;
}

export function ipEquals(a: Ip, b: Ip): boolean {
  return a.family === b.family && a.value === b.value;
}

/** The address `offset` after `ip` (NAT ranges). */
export function ipAdd(ip: Ip, offset: bigint): Ip {
  return { family: ip.family, value: ip.value + offset };
}

/** Number of leading bits two addresses share (IPv6 source selection). */
export function commonPrefixLen(a: Ip, b: Ip): number {
  const bits = bitsOf(a.family);
  let x = a.value ^ b.value;
  let len = bits;
  while (x > 0n) {
    x >>= 1n;
    len--;
  }
  return len;
}

import ipaddr from 'ipaddr.js';

/**
 * What a rule's text says about addresses and ports, for search: the IPv4 ranges it names (an
 * address, a CIDR or an `a-b` range, as iptables and nft print them) and the port ranges it matches
 * or translates to. Read from the exact text, so iptables and nft rules and nft set elements are
 * searched the same way.
 */

/** An inclusive range of IPv4 addresses as unsigned 32-bit numbers. */
export type V4Range = readonly [number, number];
/** An inclusive range of ports. */
export type PortRange = readonly [number, number];

const v4Token = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2})|-(\d{1,3}(?:\.\d{1,3}){3}))?(?![\d.])/g;
const v6Token =
  /(?<![\w:.])([0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?:\.\d{1,3}(?:\.\d{1,3}){3})?)(?:\/(\d{1,3}))?/g;

export function v4Number(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v > 255 || p === '') return null;
    n = n * 256 + v;
  }
  return n;
}

function v4Prefix(base: number, len: number): V4Range {
  const size = 2 ** (32 - len);
  const start = Math.floor(base / size) * size;
  return [start, start + size - 1];
}

/** IPv4 addresses, CIDRs and ranges named in `text`. */
export function v4Ranges(text: string): V4Range[] {
  const out: V4Range[] = [];
  for (const m of text.matchAll(v4Token)) {
    const base = v4Number(m[1]!);
    if (base === null) continue;
    if (m[2] !== undefined) {
      const len = Number(m[2]);
      if (len <= 32) out.push(v4Prefix(base, len));
    } else if (m[3] !== undefined) {
      const end = v4Number(m[3]);
      if (end !== null && end >= base) out.push([base, end]);
    } else {
      out.push([base, base]);
    }
  }
  return out;
}

/** IPv6 addresses and prefixes named in `text`, as `[address, prefix length]`. */
export function v6Cidrs(text: string): [ipaddr.IPv6, number][] {
  const out: [ipaddr.IPv6, number][] = [];
  if (!text.includes('::') && !/[0-9a-f]:[0-9a-f]+:[0-9a-f]/i.test(text)) return out;
  for (const m of text.matchAll(v6Token)) {
    if (!ipaddr.IPv6.isValid(m[1]!)) continue;
    const len = m[2] === undefined ? 128 : Number(m[2]);
    if (len <= 128) out.push([ipaddr.IPv6.parse(m[1]!), len]);
  }
  return out;
}

// Where a port or port list follows: iptables options, nft `dport`/`sport` (also in a set `{ … }`),
// and the port of an `ADDRESS:PORT` NAT destination or `to :PORT` redirect.
const iptPorts =
  /--(?:dport|sport|dports|sports|ports|to-ports|destination-ports?|source-ports?)\s+(?:!\s+)?([\d:,-]+)/g;
const nftPorts = /\b[ds]port\s+(?:!=\s+)?(\{[^}]*\}|[\d-]+)/g;
const natPort = /(?:(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}|\]|\bto )\:(\d+(?:-\d+)?)(?![\d.:])/g;

function portRangeParse(text: string): PortRange | null {
  const m = /^(\d+)(?:[:-](\d+))?$/.exec(text.trim());
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi && hi <= 65535 ? [lo, hi] : null;
}

/** Ports and port ranges the rule matches or translates to. */
export function portRanges(text: string): PortRange[] {
  const out: PortRange[] = [];
  const add = (list: string) => {
    for (const part of list.replace(/[{}]/g, '').split(',')) {
      const r = portRangeParse(part);
      if (r) out.push(r);
    }
  };
  for (const m of text.matchAll(iptPorts)) add(m[1]!);
  for (const m of text.matchAll(nftPorts)) add(m[1]!);
  for (const m of text.matchAll(natPort)) add(m[1]!);
  return out;
}

/**
 * Ports in an nft set element: the key parts whose datatype is `inet_service`
 * (`10.96.0.10 . tcp . 80 : goto …`).
 */
export function elementPortRanges(text: string, keyTypes: readonly string[]): PortRange[] {
  const key = text.split(' : ')[0]!;
  const parts = key.split(' . ');
  const out: PortRange[] = [];
  keyTypes.forEach((type, i) => {
    if (type !== 'inet_service') return;
    const r = portRangeParse(parts[i] ?? '');
    if (r) out.push(r);
  });
  return out;
}

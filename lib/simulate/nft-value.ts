import type { NftExpr } from '../model/nftables';
import type { Ip, Prefix } from './ip';
import { ipParse, ipText, prefixContains, prefixParse } from './ip';
import { protoNumbers } from './packet';

/** Values nft expressions produce while the simulator evaluates a rule. */
export type Val =
  | { t: 'ip'; ip: Ip }
  | { t: 'num'; n: number }
  | { t: 'str'; s: string }
  | { t: 'flags'; s: ReadonlySet<string> }
  | { t: 'bool'; b: boolean }
  | { t: 'concat'; items: Val[] };

const protoByName: Readonly<Record<string, number>> = { ...protoNumbers, 'ipv6-icmp': 58, icmp6: 58 };

/** A number for protocol names and plain numbers alike (`meta l4proto tcp` == 6). */
function asNumber(v: Val): number | null {
  if (v.t === 'num') return v.n;
  if (v.t === 'str') return protoByName[v.s] ?? (/^\d+$/.test(v.s) ? Number(v.s) : null);
  return null;
}

/** A right-hand constant compared with a packet value: equality, prefixes, ranges, wildcards. */
export function constMatches(left: Val, right: NftExpr): boolean | null {
  switch (right.kind) {
    case 'immediate': {
      const r = right.value;
      if (left.t === 'ip') {
        if (typeof r !== 'string') return false;
        const p = prefixParse(r);
        return p !== null && prefixContains(p, left.ip);
      }
      if (left.t === 'str') {
        if (typeof r === 'string' && r.endsWith('*') && !r.endsWith('\\*'))
          return left.s.startsWith(r.slice(0, -1));
        if (typeof r === 'number') return asNumber(left) === r;
        const ln = asNumber(left);
        const rn = typeof r === 'string' ? asNumber({ t: 'str', s: r }) : null;
        return left.s === r || (ln !== null && ln === rn);
      }
      if (left.t === 'num') {
        if (typeof r === 'number') return left.n === r;
        if (typeof r === 'string') return asNumber({ t: 'str', s: r }) === left.n;
        return false;
      }
      if (left.t === 'flags') return typeof r === 'string' && left.s.size === 1 && left.s.has(r);
      if (left.t === 'bool') return r === left.b;
      return null;
    }
    case 'prefix': {
      if (left.t !== 'ip' || right.addr.kind !== 'immediate') return null;
      const p: Prefix | null = prefixParse(`${String(right.addr.value)}/${right.len}`);
      return p !== null && prefixContains(p, left.ip);
    }
    case 'range': {
      if (right.low.kind !== 'immediate' || right.high.kind !== 'immediate') return null;
      if (left.t === 'ip') {
        const lo = ipParse(String(right.low.value));
        const hi = ipParse(String(right.high.value));
        return (
          !!lo &&
          !!hi &&
          left.ip.family === lo.family &&
          left.ip.value >= lo.value &&
          left.ip.value <= hi.value
        );
      }
      const n = asNumber(left);
      return n !== null && n >= Number(right.low.value) && n <= Number(right.high.value);
    }
    case 'concat': {
      if (left.t !== 'concat' || left.items.length !== right.items.length) return false;
      for (let i = 0; i < right.items.length; i++) {
        const r = constMatches(left.items[i]!, right.items[i]!);
        if (r !== true) return r;
      }
      return true;
    }
    case 'elem':
      return constMatches(left, right.value);
    case 'list':
    case 'set': {
      const items = right.kind === 'list' ? right.items : right.elements;
      if (left.t === 'flags') return items.some((i) => i.kind === 'immediate' && left.s.has(String(i.value)));
      let unknown = false;
      for (const item of items) {
        const r = constMatches(left, item.kind === 'mapping' ? item.key : item);
        if (r === true) return true;
        if (r === null) unknown = true;
      }
      return unknown ? null : false;
    }
    default:
      return null;
  }
}

/** An exact key for hashing set elements and probes alike; null for elements that are ranges. */
export function exactKey(e: NftExpr): string | null {
  switch (e.kind) {
    case 'immediate': {
      if (typeof e.value === 'number') return `n${e.value}`;
      if (typeof e.value === 'boolean') return `b${e.value}`;
      const ip = ipParse(e.value);
      if (ip) return `i${ipText(ip)}`;
      const n = protoByName[e.value];
      return n !== undefined ? `n${n}` : `s${e.value}`;
    }
    case 'elem':
      return exactKey(e.value);
    case 'concat': {
      const parts = e.items.map(exactKey);
      return parts.some((p) => p === null) ? null : parts.join('|');
    }
    case 'prefix': {
      // A host prefix is an exact address.
      if (e.addr.kind !== 'immediate') return null;
      const ip = ipParse(String(e.addr.value));
      return ip && e.len === (ip.family === 'ip' ? 32 : 128) ? `i${ipText(ip)}` : null;
    }
    default:
      return null;
  }
}

export function valKey(v: Val): string {
  switch (v.t) {
    case 'ip':
      return `i${ipText(v.ip)}`;
    case 'num':
      return `n${v.n}`;
    case 'str': {
      const n = protoByName[v.s];
      return n !== undefined ? `n${n}` : `s${v.s}`;
    }
    case 'bool':
      return `b${v.b}`;
    case 'flags':
      return `s${[...v.s].join(',')}`;
    case 'concat':
      return v.items.map(valKey).join('|');
  }
}

export function valText(v: Val): string {
  switch (v.t) {
    case 'ip':
      return ipText(v.ip);
    case 'num':
      return String(v.n);
    case 'str':
      return v.s;
    case 'bool':
      return String(v.b);
    case 'flags':
      return [...v.s].join(',');
    case 'concat':
      return v.items.map(valText).join(' . ');
  }
}

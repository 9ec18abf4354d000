import type { IpSetMember } from '../model/ipset';
import type { Ip } from './ip';
import { ipParse, prefixContains, prefixParse } from './ip';
import type { Namespace } from './namespace';
import type { Packet } from './packet';
import { icmpTypeNumber } from './protocols';
import type { MatchResult } from './verdict-types';
import { undecided } from './verdict-types';

/**
 * `-m set --match-set NAME src,dst` against the collected `ipset save`. Each dimension of the set
 * type reads one packet field in the direction the rule names; hash:net picks the most specific
 * entry, whose `nomatch` flag turns the answer (or, with --return-nomatch, gives it).
 */

type Dim = 'ip' | 'net' | 'port' | 'iface' | 'mark' | 'mac';

function dimsOf(type: string): Dim[] | null {
  const [method, dims] = type.split(':');
  if (!dims || (method !== 'hash' && method !== 'bitmap')) return null;
  const out: Dim[] = [];
  for (const d of dims.split(',')) {
    if (d === 'ip' || d === 'net' || d === 'port' || d === 'iface' || d === 'mark' || d === 'mac')
      out.push(d);
    else return null;
  }
  return out;
}

interface Probe {
  ip: (dir: 'src' | 'dst') => Ip;
  port: (dir: 'src' | 'dst') => { proto: string; port: number | null };
  iface: (dir: 'src' | 'dst') => string | null;
  mark: number;
}

function probeOf(pkt: Packet): Probe {
  return {
    ip: (dir) => (dir === 'src' ? pkt.src : pkt.dst),
    port: (dir) => ({
      proto: pkt.proto,
      port:
        pkt.proto === 'icmp' || pkt.proto === 'icmpv6'
          ? icmpTypeNumber(pkt.proto, pkt.icmpType ?? '')
          : dir === 'src'
            ? pkt.sport
            : pkt.dport,
    }),
    iface: (dir) => (dir === 'src' ? pkt.iif : pkt.oif),
    mark: pkt.mark,
  };
}

/** How specific a member is (prefix length of its net parts), for hash:net's longest match. */
type MemberTest = (p: Probe, dirs: readonly ('src' | 'dst')[]) => number | null;

function componentTest(dim: Dim, text: string): ((p: Probe, dir: 'src' | 'dst') => number | null) | null {
  switch (dim) {
    case 'ip':
    case 'net': {
      if (text.includes('-')) {
        const [a, b] = text.split('-').map((t) => ipParse(t));
        if (!a || !b) return null;
        return (p, dir) => {
          const ip = p.ip(dir);
          return ip.family === a.family && ip.value >= a.value && ip.value <= b.value ? 0 : null;
        };
      }
      const prefix = prefixParse(text);
      if (!prefix) return null;
      return (p, dir) => (prefixContains(prefix, p.ip(dir)) ? prefix.len : null);
    }
    case 'port': {
      const colon = text.indexOf(':');
      const proto = colon < 0 ? 'tcp' : text.slice(0, colon);
      const portText = colon < 0 ? text : text.slice(colon + 1);
      const [lo, hi] = portText.split('-');
      const isIcmp = proto === 'icmp' || proto === 'icmpv6';
      const from = isIcmp ? icmpTypeNumber(proto, lo ?? '') : Number(lo);
      const to = hi === undefined ? from : Number(hi);
      if (from === null || to === null || Number.isNaN(from) || Number.isNaN(to)) return null;
      return (p, dir) => {
        const v = p.port(dir);
        return v.proto === proto && v.port !== null && v.port >= from && v.port <= to ? 0 : null;
      };
    }
    case 'iface':
      return (p, dir) => (p.iface(dir) === text ? 0 : null);
    case 'mark': {
      const m = Number(text);
      return (p) => (p.mark === m ? 0 : null);
    }
    case 'mac':
      return null;
  }
}

function memberTest(dims: readonly Dim[], member: IpSetMember, bitmapPort: boolean): MemberTest | null {
  const parts = member.text.split(',');
  if (parts.length !== dims.length) return null;
  const tests = dims.map((d, i) =>
    componentTest(d, bitmapPort && d === 'port' ? `tcp:${parts[i]}` : parts[i]!),
  );
  if (tests.some((t) => t === null)) return null;
  return (p, dirs) => {
    let specificity = 0;
    for (let i = 0; i < tests.length; i++) {
      const dir = dirs[i] ?? dirs[dirs.length - 1] ?? 'src';
      const s = tests[i]!(p, dir);
      if (s === null) return null;
      specificity += s;
    }
    return specificity;
  };
}

export function ipsetTest(
  ns: Namespace,
  name: string,
  dirs: readonly ('src' | 'dst')[],
  pkt: Packet,
  returnNomatch: boolean,
  depth = 0,
): MatchResult {
  const set = ns.ipsets.get(name);
  if (!set)
    return undecided(`ipset '${name}' is not in the snapshot of ${ns.name} (was ipset save collected?)`);
  if (set.type === 'list:set') {
    if (depth > 4) return undecided(`list:set '${name}' nests too deep`);
    for (const m of set.members) {
      const r = ipsetTest(ns, m.text, dirs, pkt, returnNomatch, depth + 1);
      if (r !== false) return r;
    }
    return false;
  }
  const dims = dimsOf(set.type);
  if (!dims) return undecided(`ipset type '${set.type}' of '${name}' is not simulated`);
  if (set.family && (set.family === 'inet') !== (pkt.family === 'ip')) return false;
  const bitmapPort = set.type === 'bitmap:port';
  const probe = probeOf(pkt);
  let best: { specificity: number; member: IpSetMember } | null = null;
  for (const member of set.members) {
    const test = memberTest(dims, member, bitmapPort);
    if (!test) return undecided(`ipset '${name}': cannot read member '${member.text}' (line ${member.line})`);
    const s = test(probe, dirs);
    if (s !== null && (!best || s > best.specificity)) best = { specificity: s, member };
  }
  if (!best) return false;
  return best.member.nomatch ? returnNomatch : true;
}

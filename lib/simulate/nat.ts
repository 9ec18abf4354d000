import type { IpFamily } from '../model/common';
import type { Address } from '../model/iproute';
import type { Ip, Prefix } from './ip';
import { commonPrefixLen, ipAdd, ipParse, ipText, prefixContains, prefixParse } from './ip';
import type { Namespace } from './namespace';
import type { Packet } from './packet';
import { hasPorts } from './packet';

/**
 * NAT as nf_nat does it for the first packet of a connection: DNAT/REDIRECT rewrite the
 * destination (before routing, or before the reroute of a local packet), SNAT/MASQUERADE the
 * source after routing. A range of addresses is one hashed choice per flow, so it forks.
 */

export interface NatRange {
  addrFrom: Ip | null;
  addrTo: Ip | null;
  portFrom: number | null;
  portTo: number | null;
}

function portRange(text: string): { from: number; to: number } | null {
  const [a, b] = text.split('-');
  const from = Number(a);
  const to = b === undefined ? from : Number(b);
  return Number.isInteger(from) && Number.isInteger(to) && from <= to && to <= 65535 ? { from, to } : null;
}

/** `--to-destination` / `--to-source` text: `a[-b][:p[-q]]`, `[v6][-[v6]][:p[-q]]`, or `:p[-q]`. */
export function natRangeParse(text: string, family: IpFamily): NatRange | null {
  let addrText = text;
  let portText: string | null = null;
  if (family === 'ip6' && text.startsWith('[')) {
    const close = text.lastIndexOf(']');
    addrText = text.slice(0, close + 1).replace(/[[\]]/g, '');
    if (text[close + 1] === ':') portText = text.slice(close + 2);
  } else if (family === 'ip') {
    const colon = text.indexOf(':');
    if (colon >= 0) {
      addrText = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
  }
  let addrFrom: Ip | null = null;
  let addrTo: Ip | null = null;
  if (addrText !== '') {
    const [a, b] = addrText.split('-');
    addrFrom = ipParse(a ?? '');
    addrTo = b === undefined ? addrFrom : ipParse(b);
    if (!addrFrom || !addrTo || addrFrom.family !== family || addrTo.family !== family) return null;
  }
  const ports = portText === null ? null : portRange(portText);
  if (portText !== null && !ports) return null;
  return { addrFrom, addrTo, portFrom: ports?.from ?? null, portTo: ports?.to ?? null };
}

export interface NatChoice {
  addr: Ip | null;
  port: number | null;
  /** Probability of this choice among the range's (1 for a single address). */
  p: number;
  choice: string | null;
}

/** The addresses a range can map a flow to; more than 64 is too many to list, and undecided. */
export function natChoices(range: NatRange, currentPort: number | null): NatChoice[] | string {
  // No port in the range: the packet keeps its own.
  const port =
    range.portFrom === null
      ? null
      : currentPort !== null && currentPort >= range.portFrom && currentPort <= range.portTo!
        ? currentPort
        : range.portFrom;
  if (!range.addrFrom || !range.addrTo) return [{ addr: null, port, p: 1, choice: null }];
  const count = range.addrTo.value - range.addrFrom.value + 1n;
  if (count <= 1n) return [{ addr: range.addrFrom, port, p: 1, choice: null }];
  if (count > 64n)
    return `NAT range of ${count} addresses: the kernel hashes the flow to one of them, too many to list`;
  const n = Number(count);
  return Array.from({ length: n }, (_, i) => {
    const addr = ipAdd(range.addrFrom!, BigInt(i));
    return { addr, port, p: 1 / n, choice: `NAT range address ${ipText(addr)} (1 of ${n}, hashed per flow)` };
  });
}

export function dnatApply(pkt: Packet, c: NatChoice): void {
  if (c.addr) pkt.dst = c.addr;
  if (c.port !== null && hasPorts(pkt.proto)) pkt.dport = c.port;
  pkt.ct.dnat = true;
}

export function snatApply(pkt: Packet, c: NatChoice): void {
  if (c.addr) pkt.src = c.addr;
  if (c.port !== null && hasPorts(pkt.proto)) pkt.sport = c.port;
  pkt.ct.snat = true;
}

/**
 * MASQUERADE's source address: inet_select_addr(oif, nexthop, RT_SCOPE_UNIVERSE) takes the first
 * primary global address of the interface in the nexthop's subnet, else the first primary global
 * one. For IPv6 the kernel runs RFC 6724 source selection; this picks the global address sharing
 * the longest prefix with the destination (its rule 8), which is what it comes down to on
 * interfaces with one global address.
 */
const addressNets = new WeakMap<Address, Prefix | null>();

function addressNet(a: Address): Prefix | null {
  let net = addressNets.get(a);
  if (net === undefined) addressNets.set(a, (net = prefixParse(`${a.local}/${a.prefixlen}`)));
  return net;
}

export function masqueradeSource(ns: Namespace, oif: string, nexthop: Ip, family: IpFamily): Ip | null {
  // One pass over ns.addresses, whose parsed forms ns.addressIps holds (this runs for every path).
  let first = -1;
  let best: Ip | null = null;
  let bestLen = -1;
  for (let i = 0; i < ns.addresses.length; i++) {
    const a = ns.addresses[i]!;
    if (a.ifname !== oif || a.family !== family || a.scope !== 'global' || a.flags.includes('secondary'))
      continue;
    if (family === 'ip') {
      const net = addressNet(a);
      if (net && prefixContains(net, nexthop)) return ns.addressIps[i]!;
      if (first < 0) first = i;
      continue;
    }
    if (a.flags.includes('deprecated') || a.flags.includes('tentative')) continue;
    const ip = ns.addressIps[i]!;
    if (!ip) continue;
    const len = commonPrefixLen(ip, nexthop);
    if (len > bestLen) {
      best = ip;
      bestLen = len;
    }
  }
  if (family === 'ip') return first >= 0 ? ns.addressIps[first]! : null;
  return best;
}

/** REDIRECT's new destination: the incoming interface's first address, or loopback for local packets. */
export function redirectDestination(ns: Namespace, pkt: Packet): Ip | null {
  if (pkt.iif === null || pkt.iif === 'lo') return ipParse(pkt.family === 'ip' ? '127.0.0.1' : '::1');
  const a = ns.addresses.find((x) => x.ifname === pkt.iif && x.family === pkt.family);
  return a ? ipParse(a.local) : null;
}

import type { IpFamily } from '../model/common';
import type { IptMatch, IptRule, KnownMatch, NegatableValue } from '../model/iptables';
import type { Prefix } from './ip';
import { ipParse, prefixContains, prefixParse } from './ip';
import { ipsetTest } from './ipset-match';
import type { Namespace } from './namespace';
import { addrType } from './namespace';
import type { Packet } from './packet';
import { protoNumbers } from './packet';
import { icmpTypeMatches } from './protocols';
import type { MatchResult } from './verdict-types';
import { undecided } from './verdict-types';

/**
 * iptables match semantics on one packet: the base options (-s -d -i -o -p -f) and the typed
 * match modules. A module that depends on state no snapshot holds (rate limits, recent lists,
 * socket owners, payload bytes) is undecided, with the reason.
 */

export interface MatchCtx {
  ns: Namespace;
  family: IpFamily;
  hook: string;
  /** xt_recent lists hold nothing for this client (see TraceQuery.assumeNewClient). */
  assumeNewClient: boolean;
}

function neg(value: boolean, n: { negate: boolean }): boolean {
  return n.negate ? !value : value;
}

/** `eth+` matches every name starting with `eth`; an absent interface is the empty name. */
export function ifaceMatches(pattern: string, name: string | null): boolean {
  const n = name ?? '';
  return pattern.endsWith('+') ? n.startsWith(pattern.slice(0, -1)) : n === pattern;
}

const optionPrefixes = new WeakMap<NegatableValue, Prefix | null>();

function addrMatches(opt: NegatableValue, ip: Packet['src']): MatchResult {
  let prefix = optionPrefixes.get(opt);
  if (prefix === undefined) optionPrefixes.set(opt, (prefix = prefixParse(opt.value)));
  if (!prefix) return undecided(`cannot read address '${opt.value}'`);
  return neg(prefixContains(prefix, ip), opt);
}

const protoAliases: Readonly<Record<string, string>> = {
  'ipv6-icmp': 'icmpv6',
  icmp6: 'icmpv6',
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'icmpv6',
  '132': 'sctp',
};

export function protoName(text: string): string {
  const lower = text.toLowerCase();
  return protoAliases[lower] ?? lower;
}

function protoMatches(opt: NegatableValue, pkt: Packet): boolean {
  const name = protoName(opt.value);
  const m = name === 'all' || name === '0' || name === pkt.proto || name === String(protoNumbers[pkt.proto]);
  return neg(m, opt);
}

function inRange(r: { from: number; to: number }, v: number | null): boolean {
  return v !== null && v >= r.from && v <= r.to;
}

function markMatches(mm: { value: number; mask: number | null }, mark: number): boolean {
  return (mark & (mm.mask ?? 0xffffffff)) >>> 0 === mm.value;
}

const uppercased = new WeakMap<readonly string[], readonly string[]>();

/** A rule's list of state or address-type names in capitals, made once per rule. */
function upper(list: readonly string[]): readonly string[] {
  let u = uppercased.get(list);
  if (!u) uppercased.set(list, (u = list.map((x) => x.toUpperCase())));
  return u;
}

/** Whether the packet has one of the ctstate names (the SNAT/DNAT virtual states included). */
function ctStateAny(pkt: Packet, list: readonly string[]): boolean {
  const ct = pkt.ct;
  const dnat = ct.conn?.dnat || ct.dnat;
  const snat = ct.conn?.snat || ct.snat;
  return upper(list).some(
    (name) => name === ct.state || (name === 'DNAT' && dnat) || (name === 'SNAT' && snat),
  );
}

function anyOf(list: readonly string[], have: Set<string>): boolean {
  return upper(list).some((x) => have.has(x));
}

type ModuleOf<N extends KnownMatch['name']> = Extract<KnownMatch, { name: N }>['options'];

function ports(pkt: Packet, o: ModuleOf<'tcp'> | ModuleOf<'udp'> | ModuleOf<'sctp'>): MatchResult {
  if (o.sport && !neg(inRange(o.sport.value, pkt.sport), o.sport)) return false;
  if (o.dport && !neg(inRange(o.dport.value, pkt.dport), o.dport)) return false;
  return true;
}

const allFlags = ['SYN', 'ACK', 'FIN', 'RST', 'URG', 'PSH'];

/** `--tcp-flags mask comp`: of the flags in mask, exactly those in comp are set. */
function flagsMatch(pkt: Packet, mask: readonly string[], comp: readonly string[]): boolean {
  const has = (f: string) => pkt.tcpFlags.includes(f);
  const m = mask.includes('ALL') ? allFlags : mask.includes('NONE') ? [] : mask;
  return m.every((f) => has(f) === comp.includes(f) || (comp.includes('ALL') && has(f)));
}

function tcpMatch(pkt: Packet, o: ModuleOf<'tcp'>): MatchResult {
  if (pkt.proto !== 'tcp') return false;
  if (!ports(pkt, o)) return false;
  if (o.tcpFlags && !neg(flagsMatch(pkt, o.tcpFlags.value.mask, o.tcpFlags.value.comp), o.tcpFlags))
    return false;
  if (o.syn && !neg(flagsMatch(pkt, ['SYN', 'RST', 'ACK', 'FIN'], ['SYN']), o.syn)) return false;
  if (o.tcpOption) return undecided('--tcp-option: the packet query carries no TCP options');
  return true;
}

function conntrackMatch(pkt: Packet, o: ModuleOf<'conntrack'>): MatchResult {
  if (o.ctstate && !neg(ctStateAny(pkt, o.ctstate.value), o.ctstate)) return false;
  if (o.ctproto && !neg(protoName(o.ctproto.value) === pkt.proto, o.ctproto)) return false;
  const orig = pkt.ct.conn?.orig ?? pkt.ct.orig;
  const reply = pkt.ct.conn?.reply ?? null;
  const addrOpt = (opt: NegatableValue | undefined, ip: Packet['src'] | null, what: string): MatchResult => {
    if (!opt) return true;
    if (!ip) return undecided(`${what}: the reply tuple is not known before the connection is confirmed`);
    return addrMatches(opt, ip);
  };
  for (const r of [
    addrOpt(o.ctorigsrc, orig.src, '--ctorigsrc'),
    addrOpt(o.ctorigdst, orig.dst, '--ctorigdst'),
    addrOpt(o.ctreplsrc, reply?.src ?? null, '--ctreplsrc'),
    addrOpt(o.ctrepldst, reply?.dst ?? null, '--ctrepldst'),
  ])
    if (r !== true) return r;
  if (o.ctorigsrcport && !neg(inRange(o.ctorigsrcport.value, orig.sport), o.ctorigsrcport)) return false;
  if (o.ctorigdstport && !neg(inRange(o.ctorigdstport.value, orig.dport), o.ctorigdstport)) return false;
  if (o.ctreplsrcport || o.ctrepldstport) {
    if (!reply)
      return undecided('--ctrepl*port: the reply tuple is not known before the connection is confirmed');
    if (o.ctreplsrcport && !neg(inRange(o.ctreplsrcport.value, reply.sport), o.ctreplsrcport)) return false;
    if (o.ctrepldstport && !neg(inRange(o.ctrepldstport.value, reply.dport), o.ctrepldstport)) return false;
  }
  if (o.ctdir && !neg(o.ctdir.value.toLowerCase() === pkt.ct.dir, o.ctdir)) return false;
  if (o.ctstatus) {
    const status = new Set<string>();
    if (pkt.ct.conn) status.add('CONFIRMED');
    if (pkt.ct.state === 'ESTABLISHED') {
      status.add('SEEN_REPLY');
      status.add('ASSURED');
    }
    if (!neg(anyOf(o.ctstatus.value, status), o.ctstatus)) return false;
  }
  if (o.ctexpire) return undecided('--ctexpire: the connection timer is not in a snapshot');
  return true;
}

function addrtypeMatch(ctx: MatchCtx, pkt: Packet, o: ModuleOf<'addrtype'>): MatchResult {
  const test = (
    opt: { value: string[]; negate: boolean },
    ip: Packet['src'],
    dev: string | null,
  ): MatchResult => {
    const t = addrType(ctx.ns, ip, dev);
    if (t === null) return undecided(`addrtype: routes of ${ctx.ns.name} were not collected`);
    return neg(
      upper(opt.value).some((v) => v === t),
      opt,
    );
  };
  const dev = o.limitIfaceIn ? pkt.iif : o.limitIfaceOut ? pkt.oif : null;
  if (o.srcType) {
    const r = test(o.srcType, pkt.src, dev);
    if (r !== true) return r;
  }
  if (o.dstType) return test(o.dstType, pkt.dst, dev);
  return true;
}

const statistics = new WeakMap<ModuleOf<'statistic'>, MatchResult>();

/** A statistic match forks the same way for every packet: worked out once per rule. */
function statisticMatch(o: ModuleOf<'statistic'>): MatchResult {
  let r = statistics.get(o);
  if (r === undefined) statistics.set(o, (r = statisticFork(o)));
  return r;
}

function statisticFork(o: ModuleOf<'statistic'>): MatchResult {
  const mode = o.mode?.value ?? 'random';
  const negate = o.mode?.negate ?? false;
  if (mode === 'random') {
    const p = o.probability?.value ?? 0;
    const eff = (o.probability?.negate ?? false) !== negate ? 1 - p : p;
    return { fork: { p: eff, choice: `statistic random ${o.probability?.negate ? '! ' : ''}${p}` } };
  }
  if (mode === 'nth') {
    const every = o.every?.value ?? 1;
    const p = 1 / every;
    return {
      fork: { p: negate ? 1 - p : p, choice: `statistic nth every ${every} packet ${o.packet?.value ?? 0}` },
    };
  }
  return undecided(`statistic mode '${mode}' is not known`);
}

function iprangeMatch(pkt: Packet, o: ModuleOf<'iprange'>): MatchResult {
  const test = (opt: { value: string; negate: boolean }, ip: Packet['src']): MatchResult => {
    const [lo, hi] = opt.value.split('-');
    const a = ipParse(lo ?? '');
    const b = ipParse(hi ?? lo ?? '');
    if (!a || !b) return undecided(`iprange: cannot read '${opt.value}'`);
    return neg(ip.family === a.family && ip.value >= a.value && ip.value <= b.value, opt);
  };
  if (o.srcRange) {
    const r = test(o.srcRange, pkt.src);
    if (r !== true) return r;
  }
  return o.dstRange ? test(o.dstRange, pkt.dst) : true;
}

function physdevMatch(pkt: Packet, o: ModuleOf<'physdev'>): MatchResult {
  if (o.physdevIn && !neg(pkt.physIn !== null && ifaceMatches(o.physdevIn.value, pkt.physIn), o.physdevIn))
    return false;
  if (
    o.physdevOut &&
    !neg(pkt.physOut !== null && ifaceMatches(o.physdevOut.value, pkt.physOut), o.physdevOut)
  )
    return false;
  if (o.physdevIsIn && !neg(pkt.physIn !== null, o.physdevIsIn)) return false;
  if (o.physdevIsOut && !neg(pkt.physOut !== null, o.physdevIsOut)) return false;
  if (o.physdevIsBridged && !neg(pkt.physIn !== null && pkt.physOut !== null, o.physdevIsBridged))
    return false;
  return true;
}

function pkttypeOf(ctx: MatchCtx, pkt: Packet): string {
  const t = addrType(ctx.ns, pkt.dst);
  return t === 'BROADCAST' ? 'broadcast' : t === 'MULTICAST' ? 'multicast' : 'unicast';
}

function knownMatch(ctx: MatchCtx, pkt: Packet, m: KnownMatch): MatchResult {
  switch (m.name) {
    case 'tcp':
      return tcpMatch(pkt, m.options);
    case 'udp':
      return pkt.proto === 'udp' && ports(pkt, m.options);
    case 'sctp':
      if (pkt.proto !== 'sctp') return false;
      if (m.options.chunkTypes) return undecided('--chunk-types: the packet query carries no SCTP chunks');
      return ports(pkt, m.options);
    case 'icmp':
      if (pkt.proto !== 'icmp') return false;
      return m.options.icmpType
        ? neg(icmpTypeMatches('icmp', m.options.icmpType.value, pkt.icmpType), m.options.icmpType)
        : true;
    case 'icmp6':
      if (pkt.proto !== 'icmpv6') return false;
      return m.options.icmpv6Type
        ? neg(icmpTypeMatches('icmpv6', m.options.icmpv6Type.value, pkt.icmpType), m.options.icmpv6Type)
        : true;
    case 'multiport': {
      const o = m.options;
      const any = (
        opt: { value: { from: number; to: number }[]; negate: boolean } | undefined,
        v: (number | null)[],
      ) =>
        !opt ||
        neg(
          opt.value.some((r) => v.some((x) => inRange(r, x))),
          opt,
        );
      return any(o.sports, [pkt.sport]) && any(o.dports, [pkt.dport]) && any(o.ports, [pkt.sport, pkt.dport]);
    }
    case 'conntrack':
      return conntrackMatch(pkt, m.options);
    case 'state':
      return m.options.state ? neg(ctStateAny(pkt, m.options.state.value), m.options.state) : true;
    case 'comment':
      return true;
    case 'mark':
      return m.options.mark ? neg(markMatches(m.options.mark.value, pkt.mark), m.options.mark) : true;
    case 'connmark':
      return m.options.mark ? neg(markMatches(m.options.mark.value, pkt.ct.mark), m.options.mark) : true;
    case 'addrtype':
      return addrtypeMatch(ctx, pkt, m.options);
    case 'statistic':
      return statisticMatch(m.options);
    case 'set': {
      const o = m.options;
      if (!o.matchSet) return true;
      if (o.packetsEq || o.packetsLt || o.packetsGt || o.bytesEq || o.bytesLt || o.bytesGt)
        return undecided('set: counter conditions depend on traffic counters');
      const r = ipsetTest(
        ctx.ns,
        o.matchSet.value.name,
        o.matchSet.value.dirs,
        pkt,
        o.returnNomatch !== undefined,
      );
      return typeof r === 'boolean' ? neg(r, o.matchSet) : r;
    }
    case 'physdev':
      return physdevMatch(pkt, m.options);
    case 'iprange':
      return iprangeMatch(pkt, m.options);
    case 'pkttype':
      return m.options.pktType
        ? neg(m.options.pktType.value.toLowerCase() === pkttypeOf(ctx, pkt), m.options.pktType)
        : true;
    case 'mac':
      return undecided("mac: the sender's MAC address is not part of the packet query");
    case 'limit':
      return undecided('limit: whether the rate limit has tokens left depends on earlier traffic');
    case 'recent':
      if (m.options.set && !m.options.rcheck && !m.options.update && !m.options.remove) return true;
      if (ctx.assumeNewClient) return m.options.remove ? true : false;
      return undecided(
        `recent: whether the source is on list '${m.options.name?.value ?? 'DEFAULT'}' depends on earlier traffic (xt_recent is not collected)`,
      );
    case 'owner':
      return undecided("owner: the sending socket's user is not part of the packet query");
    case 'rpfilter':
      return undecided('rpfilter: reverse-path checks in rules are not simulated');
    case 'socket':
      return undecided('socket: whether a local socket matches is not in a snapshot');
    case 'length':
      return undecided('length: the packet query has no length');
    case 'ttl':
    case 'hl':
      return undecided(`${m.name}: the packet query has no TTL / hop limit`);
    case 'dscp':
    case 'tos':
      return undecided(`${m.name}: the packet query has no DSCP / TOS`);
    case 'helper':
      return undecided('helper: conntrack helpers are not simulated');
    case 'string':
    case 'u32':
    case 'bpf':
      return undecided(`${m.name}: matches on payload bytes the packet query does not have`);
  }
}

function isKnown(m: IptMatch): m is KnownMatch {
  return !('reason' in m);
}

/**
 * Evaluates a rule's matches. Deterministic conditions go first: a rule some condition rules out
 * is decided even when another of its conditions is undecidable.
 */
export function iptRuleMatches(ctx: MatchCtx, pkt: Packet, rule: IptRule): MatchResult {
  if (rule.src && !addrBool(addrMatches(rule.src, pkt.src))) return addrMatches(rule.src, pkt.src);
  if (rule.dst && !addrBool(addrMatches(rule.dst, pkt.dst))) return addrMatches(rule.dst, pkt.dst);
  if (rule.inIface && !neg(ifaceMatches(rule.inIface.value, pkt.iif), rule.inIface)) return false;
  if (rule.outIface && !neg(ifaceMatches(rule.outIface.value, pkt.oif), rule.outIface)) return false;
  if (rule.proto && !protoMatches(rule.proto, pkt)) return false;
  if (rule.fragment && !rule.fragment.negate) return false; // the simulated packet is never a later fragment
  let pending: MatchResult = true;
  for (const m of rule.matches) {
    const r = isKnown(m) ? knownMatch(ctx, pkt, m) : undecided(`-m ${m.name}: ${m.reason}`);
    if (r === false) return false;
    if (r === true) continue;
    // Keep the first undecided (or the forks), but go on: a later false condition still decides.
    if (pending === true) pending = r;
    else if (typeof pending === 'object' && 'fork' in pending) {
      if ('undecided' in r) pending = r;
      else
        pending = {
          fork: { p: pending.fork.p * r.fork.p, choice: `${pending.fork.choice} and ${r.fork.choice}` },
        };
    }
  }
  return pending;
}

function addrBool(r: MatchResult): boolean {
  return r === true;
}

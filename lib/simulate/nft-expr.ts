import type { NftExpr } from '../model/nftables';
import type { Namespace } from './namespace';
import { addrType } from './namespace';
import type { Val } from './nft-value';
import { valText } from './nft-value';
import type { Packet } from './packet';
import { hasPorts } from './packet';
import { fibLookup } from './routing';

/**
 * Packet-side nft expressions: what `ip saddr`, `th dport`, `meta mark`, `ct state`, `fib daddr
 * type`, `numgen` … evaluate to for the simulated packet. A payload field of another protocol
 * fails the rule as nft's implicit dependency (`meta l4proto tcp` before `tcp dport`) would.
 */
export type EvalOut =
  | { val: Val }
  | { nomatch: true }
  | { undecided: string }
  | { fork: { p: number; choice: string; val: Val }[] };

const nomatch: EvalOut = { nomatch: true };
const num = (n: number): EvalOut => ({ val: { t: 'num', n } });
const str = (s: string): EvalOut => ({ val: { t: 'str', s } });

function payload(pkt: Packet, protocol: string, field: string): EvalOut {
  switch (protocol) {
    case 'ip':
    case 'ip6': {
      if ((protocol === 'ip') !== (pkt.family === 'ip')) return nomatch;
      if (field === 'saddr') return { val: { t: 'ip', ip: pkt.src } };
      if (field === 'daddr') return { val: { t: 'ip', ip: pkt.dst } };
      if (field === 'protocol' || field === 'nexthdr') return str(pkt.proto);
      if (field === 'version') return num(protocol === 'ip' ? 4 : 6);
      return { undecided: `${protocol} ${field}: not part of the packet query` };
    }
    case 'tcp':
    case 'udp':
    case 'sctp':
    case 'udplite':
    case 'th': {
      if (protocol === 'th' ? !hasPorts(pkt.proto) : pkt.proto !== protocol) return nomatch;
      if (field === 'sport') return pkt.sport === null ? nomatch : num(pkt.sport);
      if (field === 'dport') return pkt.dport === null ? nomatch : num(pkt.dport);
      if (field === 'flags' && protocol === 'tcp')
        return { val: { t: 'flags', s: new Set(pkt.tcpFlags.map((f) => f.toLowerCase())) } };
      return { undecided: `${protocol} ${field}: not part of the packet query` };
    }
    case 'icmp':
    case 'icmpv6': {
      if (pkt.proto !== protocol) return nomatch;
      if (field === 'type') return str(pkt.icmpType ?? '');
      if (field === 'code') return num(0);
      return { undecided: `${protocol} ${field}: not part of the packet query` };
    }
    default:
      return { undecided: `${protocol} ${field}: header not simulated` };
  }
}

function meta(ns: Namespace, pkt: Packet, key: string): EvalOut {
  switch (key) {
    case 'l4proto':
      return str(pkt.proto);
    case 'nfproto':
      return str(pkt.family === 'ip' ? 'ipv4' : 'ipv6');
    case 'protocol':
      return str(pkt.family === 'ip' ? 'ip' : 'ip6');
    case 'iifname':
    case 'iif':
      return pkt.iif === null ? (key === 'iif' ? nomatch : str('')) : str(pkt.iif);
    case 'oifname':
    case 'oif':
      return pkt.oif === null ? (key === 'oif' ? nomatch : str('')) : str(pkt.oif);
    case 'mark':
      return num(pkt.mark);
    case 'pkttype': {
      const t = addrType(ns, pkt.dst);
      return str(
        t === 'BROADCAST'
          ? 'broadcast'
          : t === 'MULTICAST'
            ? 'multicast'
            : pkt.iif === null
              ? 'host'
              : 'host',
      );
    }
    case 'nftrace':
      return num(0);
    case 'ibrname':
    case 'ibriport':
      return pkt.physIn ? str(key === 'ibrname' ? (pkt.iif ?? '') : pkt.physIn) : nomatch;
    case 'obrname':
    case 'obriport':
      return pkt.physOut ? str(key === 'obrname' ? (pkt.oif ?? '') : pkt.physOut) : nomatch;
    default:
      return { undecided: `meta ${key}: not part of the packet query` };
  }
}

function ct(pkt: Packet, key: string, dir: string | null): EvalOut {
  const c = pkt.ct;
  switch (key) {
    case 'state':
      return { val: { t: 'flags', s: new Set([c.state.toLowerCase()]) } };
    case 'status': {
      const s = new Set<string>();
      if (c.conn) s.add('confirmed');
      if (c.state === 'ESTABLISHED') s.add('seen-reply').add('assured');
      if (c.dnat || c.conn?.dnat) s.add('dnat');
      if (c.snat || c.conn?.snat) s.add('snat');
      return { val: { t: 'flags', s } };
    }
    case 'mark':
      return num(c.mark);
    case 'direction':
      return str(c.dir);
    case 'l3proto':
      return str(pkt.family === 'ip' ? 'ipv4' : 'ipv6');
    case 'protocol':
      return str(pkt.proto);
    case 'saddr':
    case 'daddr':
    case 'ip saddr':
    case 'ip daddr':
    case 'ip6 saddr':
    case 'ip6 daddr':
    case 'proto-src':
    case 'proto-dst': {
      const tuple = dir === 'reply' ? c.conn?.reply : (c.conn?.orig ?? c.orig);
      if (!tuple)
        return {
          undecided: `ct ${dir} ${key}: the reply tuple is known only once the connection is confirmed`,
        };
      if (key.endsWith('saddr')) return { val: { t: 'ip', ip: tuple.src } };
      if (key.endsWith('daddr')) return { val: { t: 'ip', ip: tuple.dst } };
      const port = key === 'proto-src' ? tuple.sport : tuple.dport;
      return port === null ? nomatch : num(port);
    }
    default:
      return { undecided: `ct ${key}: not simulated` };
  }
}

function fib(ns: Namespace, pkt: Packet, result: string, flags: readonly string[]): EvalOut {
  const useSaddr = flags.includes('saddr');
  const addr = useSaddr ? pkt.src : pkt.dst;
  if (result === 'type') {
    const dev = flags.includes('iif') ? pkt.iif : flags.includes('oif') ? pkt.oif : null;
    const t = addrType(ns, addr, dev);
    return t === null ? { undecided: `fib: routes of ${ns.name} were not collected` } : str(t.toLowerCase());
  }
  if (result === 'oif' || result === 'oifname') {
    const tables = ns.routing[pkt.family];
    if (!tables) return { undecided: `fib: routes of ${ns.name} were not collected` };
    const d = fibLookup(tables, {
      family: pkt.family,
      src: null,
      dst: addr,
      iif: flags.includes('iif') ? (pkt.iif ?? 'lo') : 'lo',
      oif: null,
      mark: flags.includes('mark') ? pkt.mark : 0,
      proto: pkt.proto,
      sport: null,
      dport: null,
    });
    if (d.kind === 'undecided') return { undecided: d.reason };
    const dev = d.kind === 'route' ? (d.route.dev ?? d.nexthops[0]?.dev ?? null) : null;
    // With iif, the result counts only when the route leaves by the incoming interface (rpfilter).
    if (
      !dev ||
      (useSaddr &&
        flags.includes('iif') &&
        dev !== pkt.iif &&
        !(d.kind === 'route' && d.route.type === 'local'))
    )
      return { val: { t: 'bool', b: false } };
    return str(dev);
  }
  return { undecided: `fib ${result}: not simulated` };
}

function forkOver(mod: number, offset: number, label: string): EvalOut {
  return {
    fork: Array.from({ length: mod }, (_, i) => ({
      p: 1 / mod,
      choice: `${label} = ${i + offset} (1 of ${mod})`,
      val: { t: 'num' as const, n: i + offset },
    })),
  };
}

function binop(op: string, a: Val, b: Val): Val | null {
  if (a.t === 'num' && b.t === 'num') {
    const r =
      op === '&'
        ? a.n & b.n
        : op === '|'
          ? a.n | b.n
          : op === '^'
            ? a.n ^ b.n
            : op === '<<'
              ? a.n << b.n
              : a.n >>> b.n;
    return { t: 'num', n: r >>> 0 };
  }
  if (a.t === 'flags' && op === '&') {
    const mask = b.t === 'flags' ? b.s : b.t === 'str' ? new Set([b.s]) : null;
    if (!mask) return null;
    return { t: 'flags', s: new Set([...a.s].filter((f) => mask.has(f))) };
  }
  return null;
}

export function nftExprEval(ns: Namespace, pkt: Packet, e: NftExpr): EvalOut {
  switch (e.kind) {
    case 'payload':
      return payload(pkt, e.protocol, e.field);
    case 'meta':
      return meta(ns, pkt, e.key);
    case 'ct':
      return ct(pkt, e.family ? `${e.family} ${e.key}` : e.key, e.dir);
    case 'fib':
      return fib(ns, pkt, e.result, e.flags);
    case 'immediate':
      return typeof e.value === 'number'
        ? num(e.value)
        : typeof e.value === 'boolean'
          ? { val: { t: 'bool', b: e.value } }
          : str(e.value);
    case 'list':
      return {
        val: { t: 'flags', s: new Set(e.items.map((i) => (i.kind === 'immediate' ? String(i.value) : ''))) },
      };
    case 'numgen':
      return forkOver(e.mod, e.offset, `numgen ${e.mode} mod ${e.mod}`);
    case 'jhash':
    case 'symhash':
      // The hash of this flow decides; without the kernel's seed each bucket is as likely.
      return forkOver(e.mod, e.offset, `${e.kind} mod ${e.mod} (per-flow hash)`);
    case 'binop': {
      const l = nftExprEval(ns, pkt, e.left);
      const r = nftExprEval(ns, pkt, e.right);
      if (!('val' in l)) return l;
      if (!('val' in r)) return r;
      const v = binop(e.op, l.val, r.val);
      return v ? { val: v } : { undecided: `${valText(l.val)} ${e.op} ${valText(r.val)}: not simulated` };
    }
    case 'concat': {
      const items: Val[] = [];
      for (const item of e.items) {
        const r = nftExprEval(ns, pkt, item);
        if (!('val' in r)) return r;
        items.push(r.val);
      }
      return { val: { t: 'concat', items } };
    }
    default:
      return { undecided: `${e.kind} expression: not simulated` };
  }
}

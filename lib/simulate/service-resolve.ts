import type { IptRule } from '../model/iptables';
import type { NftExpr } from '../model/nftables';
import type { Snapshot } from '../model/snapshot';
import { protoName } from './ipt-match';

/**
 * A kube-proxy service name (`namespace/name:port`) to the ClusterIP, port and protocol it
 * stands for: from the `"ns/name:port cluster IP"` comments of KUBE-SERVICES (iptables mode) or
 * the `service-ips` map of the kube-proxy nft table, whose chains are named
 * `service-HASH-ns/name/proto/port`.
 */

export interface ServiceAddress {
  name: string;
  ip: string;
  port: number;
  proto: string;
  /** Where it was read: host and table. */
  origin: string;
}

function comment(rule: IptRule): string | null {
  for (const m of rule.matches)
    if (m.name === 'comment' && 'options' in m)
      return (m.options as { comment?: { value: string } }).comment?.value ?? null;
  return null;
}

function dport(rule: IptRule): number | null {
  for (const m of rule.matches)
    if ((m.name === 'tcp' || m.name === 'udp' || m.name === 'sctp') && 'options' in m) {
      const d = (m.options as { dport?: { value: { from: number; to: number } } }).dport;
      if (d && d.value.from === d.value.to) return d.value.from;
    }
  return null;
}

function fromIptables(s: Snapshot, out: ServiceAddress[]): void {
  for (const dump of s.netfilter.iptables)
    for (const table of dump.tables) {
      if (table.name !== 'nat') continue;
      const chain = table.chains.find((c) => c.name === 'KUBE-SERVICES');
      for (const rule of chain?.rules ?? []) {
        const m = /^(\S+\/\S+:\S*) cluster IP$/.exec(comment(rule) ?? '');
        const port = dport(rule);
        if (!m || !rule.dst || port === null) continue;
        out.push({
          name: m[1]!,
          ip: rule.dst.value.replace(/\/(32|128)$/, ''),
          port,
          proto: protoName(rule.proto?.value ?? 'tcp'),
          origin: `${s.host.name} ${dump.family} nat KUBE-SERVICES line ${rule.line}`,
        });
      }
    }
}

function immediate(e: NftExpr | undefined): string | null {
  return e?.kind === 'immediate' ? String(e.value) : null;
}

function fromNft(s: Snapshot, out: ServiceAddress[]): void {
  for (const table of s.netfilter.nftables?.tables ?? []) {
    const map = table.sets.find((x) => x.name === 'service-ips');
    for (const raw of map?.elements ?? []) {
      const el = raw.kind === 'elem' ? raw.value : raw;
      if (el.kind !== 'mapping' || el.key.kind !== 'concat' || el.value.kind !== 'verdict') continue;
      const [ip, proto, port] = el.key.items.map((i) => immediate(i));
      const chain = /^service-[A-Z0-9]+-(.+)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(el.value.target ?? '');
      if (!ip || !proto || !port || !chain) continue;
      out.push({
        name: `${chain[1]}/${chain[2]}:${chain[4]}`,
        ip,
        port: Number(port),
        proto,
        origin: `${s.host.name} ${table.family} ${table.name} map service-ips`,
      });
    }
  }
}

export function servicesOf(snapshots: readonly Snapshot[]): ServiceAddress[] {
  const out: ServiceAddress[] = [];
  for (const s of snapshots) {
    fromIptables(s, out);
    fromNft(s, out);
  }
  return out;
}

/** The service's address, or an error naming what was found instead. */
export function serviceResolve(snapshots: readonly Snapshot[], name: string): ServiceAddress | string {
  const all = servicesOf(snapshots);
  const hits = all.filter((x) => x.name === name || x.name.replace(/:$/, '') === name);
  if (hits.length === 0) {
    const known = [...new Set(all.map((x) => x.name))].slice(0, 8);
    return `service '${name}' is not in the snapshots${known.length ? ` (known: ${known.join(', ')}${all.length > 8 ? ', …' : ''})` : ' (no kube-proxy services found)'}`;
  }
  const distinct = new Set(hits.map((h) => `${h.ip}:${h.port}/${h.proto}`));
  if (distinct.size > 1)
    return `service '${name}' has different addresses on different hosts: ${[...distinct].join(', ')}`;
  return hits[0]!;
}

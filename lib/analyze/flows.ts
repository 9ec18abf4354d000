import { z } from 'zod';
import type { Snapshot } from '../model/snapshot';
import { iptDnatFlows } from './dnat-flows';
import { DnatFlow, FlowsSummary, SnatFlow } from './flow-model';
import { IptEval } from './ipt-eval';
import { nftFlows } from './nft-flows';
import { iptSnatFlows } from './snat-flows';

/** All NAT flows of a snapshot's own namespace: iptables dumps (both families and backends) and native nft. */
export const FlowsResult = z.object({
  host: z.string(),
  dnat: z.array(DnatFlow),
  snat: z.array(SnatFlow),
  summary: FlowsSummary,
});
export type FlowsResult = z.infer<typeof FlowsResult>;

export function snapshotFlows(snapshot: Snapshot): FlowsResult {
  const dnat: DnatFlow[] = [];
  const snat: SnatFlow[] = [];
  for (const dump of snapshot.netfilter.iptables) {
    const table = dump.tables.find((t) => t.name === 'nat');
    // One walker of the nat table for both: its index and rule atoms are built once.
    const nat = table ? new IptEval(dump, table) : undefined;
    dnat.push(...iptDnatFlows(dump, nat));
    snat.push(...iptSnatFlows(dump, nat));
  }
  const nft = nftFlows(snapshot);
  dnat.push(...nft.dnat);
  snat.push(...nft.snat);
  return { host: snapshot.host.name, dnat, snat, summary: flowsSummary(dnat, snat) };
}

function flowsSummary(dnat: readonly DnatFlow[], snat: readonly SnatFlow[]): FlowsResult['summary'] {
  // Per kube-proxy mode: a service of both modes counts twice.
  const services = { iptables: new Set<string>(), nftables: new Set<string>() };
  const endpoints = new Set<string>();
  let incomplete = 0;
  for (const f of dnat) {
    if (f.owner.kind === 'kube-proxy') {
      // Unnamed services (no comments) count by their endpoint chain.
      const name = f.owner.service ?? f.owner.serviceChain;
      if (name) services[f.owner.mode].add(name);
      for (const b of f.branches) for (const e of b.endpoints) endpoints.add(e.to);
    }
    if (f.branches.some((b) => b.why.length > 0)) incomplete++;
  }
  return {
    services: services.iptables.size + services.nftables.size,
    endpoints: endpoints.size,
    dnatFlows: dnat.length,
    snatFlows: snat.length,
    incomplete,
  };
}

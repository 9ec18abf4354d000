import { z } from 'zod';
import type { IptablesDump, IptChain, IptRule } from '../model/iptables';
import type { NftChain, NftExpr, NftTable } from '../model/nftables';
import type { Snapshot } from '../model/snapshot';
import { iptRuleComment } from './ipt-index';
import { kubeCommentParse, kubeIptChainParse, kubeNftChainParse } from './kube-proxy-names';

/**
 * kube-proxy's services and their endpoints, read straight from its chains (KUBE-SVC / KUBE-SVL and
 * their KUBE-SEP chains; nft `service-` / `local-` chains and their `endpoint-` chains): a light
 * pass for counts, growth statistics and diffs, where the full flows (flows.ts) are not needed.
 */

export const KubeService = z.object({
  mode: z.enum(['iptables', 'nftables']),
  /** `ip`/`ip6` (iptables) or the nft table's family. */
  family: z.string(),
  /** `namespace/name:port`; null when the rules do not name it (no comments). */
  service: z.string().nullable(),
  /** The service's chain; null for a service that only a no-endpoints rule mentions. */
  chain: z.string().nullable(),
  /** `address:port` of each endpoint, as its DNAT writes it, in chain order. */
  endpoints: z.array(z.string()),
});
export type KubeService = z.infer<typeof KubeService>;

function dnatTo(rule: IptRule): string | null {
  const t = rule.target;
  return t?.name === 'DNAT' && 'options' in t ? (t.options.toDestination?.value ?? null) : null;
}

function iptServices(dump: IptablesDump): KubeService[] {
  const out: KubeService[] = [];
  const nat = dump.tables.find((t) => t.name === 'nat');
  const chains = new Map<string, IptChain>(nat?.chains.map((c) => [c.name, c]) ?? []);
  const named = new Set<string>();
  const natChains = nat?.chains ?? [];
  // Indexed: a loop run once over every chain of the node, too seldom for the JIT to optimize.
  for (let i = 0; i < natChains.length; i++) {
    const chain = natChains[i]!;
    // A prefix test first: most chains of a large node are KUBE-SEP chains.
    if (!chain.name.startsWith('KUBE-SVC-') && !chain.name.startsWith('KUBE-SVL-')) continue;
    if (!kubeIptChainParse(chain.name)) continue;
    let service: string | null = null;
    const endpoints: string[] = [];
    for (const rule of chain.rules) {
      // The first comment naming the service names it: later rules' comments are not read.
      if (service === null) {
        const c = iptRuleComment(rule);
        service = c ? (kubeCommentParse(c)?.service ?? null) : null;
      }
      const target = rule.target && 'chain' in rule.target ? chains.get(rule.target.name) : undefined;
      if (!target || !target.name.startsWith('KUBE-SEP-')) continue;
      for (const r of target.rules) {
        const to = dnatTo(r);
        if (to !== null && !endpoints.includes(to)) endpoints.push(to);
      }
    }
    if (service) named.add(service);
    out.push({ mode: 'iptables', family: dump.family, service, chain: chain.name, endpoints });
  }
  // Services without endpoints have only kube-proxy's filter rules.
  const filter = dump.tables.find((t) => t.name === 'filter');
  for (const chain of filter?.chains ?? [])
    for (const rule of chain.rules) {
      const c = iptRuleComment(rule);
      const k = c ? kubeCommentParse(c) : null;
      if (k?.role !== 'no-endpoints' || named.has(k.service)) continue;
      named.add(k.service);
      out.push({ mode: 'iptables', family: dump.family, service: k.service, chain: null, endpoints: [] });
    }
  return out;
}

function immediateText(e: NftExpr | undefined): string | null {
  return e && e.kind === 'immediate' ? String(e.value) : null;
}

/** `dnat to A:P` of an endpoint chain, as `A:P` (`[A]:P` for IPv6). */
function nftDnatTo(chain: NftChain): string | null {
  for (const rule of chain.rules)
    for (const s of rule.stmts) {
      if (s.kind !== 'nat' || s.type !== 'dnat') continue;
      const addr = immediateText(s.addr);
      const port = immediateText(s.port);
      if (addr === null) return null;
      return port === null ? addr : `${addr.includes(':') ? `[${addr}]` : addr}:${port}`;
    }
  return null;
}

function nftServices(table: NftTable): KubeService[] {
  const out: KubeService[] = [];
  const chains = new Map(table.chains.map((c) => [c.name, c]));
  const named = new Set<string>();
  for (const chain of table.chains) {
    const parsed = kubeNftChainParse(chain.name);
    if (parsed?.kind !== 'service' && parsed?.kind !== 'local') continue;
    const endpoints: string[] = [];
    const targets: string[] = [];
    for (const rule of chain.rules)
      for (const s of rule.stmts) {
        if (s.kind === 'verdict' && s.target) targets.push(s.target);
        if (s.kind === 'vmap' && s.data.kind === 'set')
          for (const e of s.data.elements)
            if (e.kind === 'mapping' && e.value.kind === 'verdict' && e.value.target)
              targets.push(e.value.target);
      }
    for (const t of targets) {
      const ep = chains.get(t);
      if (!ep || kubeNftChainParse(t)?.kind !== 'endpoint') continue;
      const to = nftDnatTo(ep);
      if (to !== null && !endpoints.includes(to)) endpoints.push(to);
    }
    named.add(parsed.service);
    out.push({
      mode: 'nftables',
      family: table.family,
      service: parsed.service,
      chain: chain.name,
      endpoints,
    });
  }
  const noEndpoints = table.sets.find((s) => s.name === 'no-endpoint-services');
  for (const e of noEndpoints?.elements ?? []) {
    const key = e.kind === 'mapping' && e.key.kind === 'elem' ? e.key : e.kind === 'elem' ? e : null;
    const service = key?.comment ?? null;
    if (service === null || named.has(service)) continue;
    named.add(service);
    out.push({ mode: 'nftables', family: table.family, service, chain: null, endpoints: [] });
  }
  return out;
}

/** kube-proxy's services in the snapshot's own namespace: both modes, both families. */
export function kubeServices(snapshot: Snapshot): KubeService[] {
  const out: KubeService[] = [];
  for (const dump of snapshot.netfilter.iptables) out.push(...iptServices(dump));
  for (const table of snapshot.netfilter.nftables?.tables ?? [])
    if (table.managedBy === null && table.chains.some((c) => kubeNftChainParse(c.name)))
      out.push(...nftServices(table));
  return out;
}

/** Service ports and distinct endpoints, the counts the store keeps per snapshot. */
export function kubeServiceCounts(services: readonly KubeService[]): { services: number; endpoints: number } {
  const names = new Set<string>();
  const endpoints = new Set<string>();
  for (const s of services) {
    // A service port has a cluster chain and maybe a local one: count it once, by name when it has one.
    if (s.chain === null || !/^(KUBE-SVL-|local-)/.test(s.chain))
      names.add(`${s.mode}/${s.family}/${s.service ?? s.chain}`);
    for (const e of s.endpoints) endpoints.add(`${s.mode}/${s.family}/${e}`);
  }
  return { services: names.size, endpoints: endpoints.size };
}

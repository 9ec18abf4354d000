import { z } from 'zod';

/**
 * Every threshold packetlens warns at, in one table, each with the public source of its number so
 * a reviewer can check it. The figures are collected, with their sources, in the project's
 * scaling notes (shared/docs/SCALING.md); a level is null where no source gives one.
 */

export const ThresholdSource = z.object({
  title: z.string(),
  url: z.string(),
  /** What the source says that the number rests on. */
  says: z.string(),
});
export type ThresholdSource = z.infer<typeof ThresholdSource>;

export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;

export const Threshold = z.object({
  id: z.string(),
  /** What is measured, in words. */
  metric: z.string(),
  unit: z.string(),
  /** A measurement above the level (strictly) gets that severity; the highest one crossed counts. */
  levels: z.object({
    info: z.number().nullable(),
    warning: z.number().nullable(),
    critical: z.number().nullable(),
  }),
  /** Why it matters. */
  reason: z.string(),
  /** What helps. */
  action: z.string(),
  sources: z.array(ThresholdSource).min(1),
});
export type Threshold = z.infer<typeof Threshold>;

const KEP_3866: ThresholdSource = {
  title: 'KEP-3866: Add an nftables-based kube-proxy backend',
  url: 'https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/3866-nftables-proxy',
  says: 'first-packet latency in iptables mode p50/p99 0.049/0.16 ms at 5,000 services, 0.061/0.26 ms at 10,000, 0.274/0.72 ms at 30,000 (a linear KUBE-SERVICES scan, about 17 ns a rule); nftables mode flat at about 0.016/0.037 ms',
};
const KEP_3453: ThresholdSource = {
  title: 'KEP-3453: Minimizing iptables-restore input size',
  url: 'https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/3453-minimize-iptables-restore',
  says: 'iptables-restore rewrites whole tables; restoring only changed chains cut p50 network programming latency at 5,000 nodes from about 27 s to about 13 s',
};
const KUBE_PROXY_DOCS: ThresholdSource = {
  title: 'Kubernetes documentation: Virtual IPs and Service Proxies, iptables mode performance optimization',
  url: 'https://kubernetes.io/docs/reference/networking/virtual-ips/#optimizing-iptables-mode-performance',
  says: 'minSyncPeriod defaults to 1 s; raise it when the average sync duration is well over 1 s',
};
const EKS_BEST_PRACTICES: ThresholdSource = {
  title: 'Amazon EKS best practices: running kube-proxy in IPVS mode',
  url: 'https://docs.aws.amazon.com/eks/latest/best-practices/ipvs.html',
  says: 'iptables mode shows latency problems above about 1,000 services (citing Calico’s tests)',
};
const ISSUE_96018: ThresholdSource = {
  title: 'kubernetes/kubernetes#96018: kube-proxy iptables-restore taking long on large clusters',
  url: 'https://github.com/kubernetes/kubernetes/issues/96018',
  says: 'trouble at 100,000–150,000 iptables-restore lines; a 695,992-line restore took 12.8 s',
};
const THRESHOLDS_MD: ThresholdSource = {
  title: 'Kubernetes scalability thresholds (sig-scalability configs-and-limits/thresholds.md)',
  url: 'https://github.com/kubernetes/community/blob/master/sig-scalability/configs-and-limits/thresholds.md',
  says: 'supported: 10,000 services per cluster, 250 endpoints per service',
};
const PROXIER_GO: ThresholdSource = {
  title: 'kube-proxy iptables proxier (pkg/proxy/iptables/proxier.go), largeClusterEndpointsThreshold',
  url: 'https://github.com/kubernetes/kubernetes/blob/master/pkg/proxy/iptables/proxier.go',
  says: 'above 1,000 endpoints in total kube-proxy leaves comments out and skips stale-chain cleanup, because iptables-save can take several seconds',
};
const IPTABLES_NFT_SAVE: ThresholdSource = {
  title: 'iptables-nft-save (netfilter iptables 1.8): its warning when legacy tables hold rules',
  url: 'https://git.netfilter.org/iptables/tree/iptables/xtables-save.c',
  says: '"# Warning: iptables-legacy tables present, use iptables-legacy-save to see them": the kernel runs both backends, each tool lists one',
};
const NODE_MIXIN: ThresholdSource = {
  title: 'Prometheus node_exporter node-mixin alert NodeHighNumberConntrackEntriesUsed',
  url: 'https://github.com/prometheus/node_exporter/blob/master/docs/node-mixin/alerts/alerts.libsonnet',
  says: 'warning when node_nf_conntrack_entries / node_nf_conntrack_entries_limit > 0.75',
};
const NETDATA: ThresholdSource = {
  title: 'Netdata health guide netfilter_conntrack_full',
  url: 'https://github.com/netdata/netdata/blob/master/health/guides/netfilter/netfilter_conntrack_full.md',
  says: 'warning above 90 % of nf_conntrack_max, critical above 95 %; when full the kernel drops new connections',
};
const IPTABLES_MAN: ThresholdSource = {
  title: 'iptables(8), TARGETS',
  url: 'https://ipset.netfilter.org/iptables.man.html',
  says: 'a rule whose packet matches decides by its target; ACCEPT, DROP, RETURN (and any terminating target) end the chain for that packet, so later rules never see it',
};

const DATAPLANE_ACTION =
  'move kube-proxy to nftables mode (verdict maps, no linear scan) or IPVS mode, or an eBPF dataplane (Cilium, Calico eBPF); meanwhile fewer NodePorts and ExternalIPs shorten the chain';

export const thresholds = [
  {
    id: 'kube-services-rules',
    metric: 'rules in the nat KUBE-SERVICES chain (scanned linearly by every new connection)',
    unit: 'rules',
    levels: { info: 1000, warning: 5000, critical: 10000 },
    reason: 'every new connection to a service walks KUBE-SERVICES rule by rule until its service matches',
    action: DATAPLANE_ACTION,
    sources: [KEP_3866, EKS_BEST_PRACTICES],
  },
  {
    id: 'first-packet-rules',
    metric: 'rules a new connection evaluates in nat before it reaches its service, worst case',
    unit: 'rules',
    levels: { info: 1000, warning: 5000, critical: 10000 },
    reason: 'the first packet of each connection pays for every rule before its own (about 17 ns a rule)',
    action: DATAPLANE_ACTION,
    sources: [KEP_3866, EKS_BEST_PRACTICES],
  },
  {
    id: 'longest-chain',
    metric: 'rules in the longest chain',
    unit: 'rules',
    levels: { info: 1000, warning: 5000, critical: 10000 },
    reason: 'a chain is evaluated rule by rule; packets that reach its end pay for all of it',
    action:
      'split the chain (jump to sub-chains by destination), use ipset or nft sets and maps instead of one rule per address',
    sources: [KEP_3866],
  },
  {
    id: 'table-rules',
    metric: 'rules in one table',
    unit: 'rules',
    levels: { info: null, warning: 100000, critical: null },
    reason: 'iptables-restore rewrites a whole table on every change; large tables make each sync slow',
    action: 'nftables mode (incremental updates), a longer minSyncPeriod, or pruning stale rules',
    sources: [ISSUE_96018, KEP_3453],
  },
  {
    id: 'host-rules',
    metric: 'rules on the host, all tables and backends',
    unit: 'rules',
    levels: { info: null, warning: 150000, critical: null },
    reason: 'the whole rule set is what iptables-save lists and what a full restore loads',
    action: 'nftables mode, fewer services per node (NodePorts, ExternalIPs), pruning stale chains',
    sources: [ISSUE_96018],
  },
  {
    id: 'restore-seconds',
    metric: 'expected time of a full iptables-restore of the dump (calibrated on the measuring machine)',
    unit: 's',
    levels: { info: null, warning: 1, critical: null },
    reason:
      'kube-proxy restores its rules on each sync; a restore slower than minSyncPeriod delays every service change',
    action: 'nftables mode, or raise minSyncPeriod above the restore time',
    sources: [KUBE_PROXY_DOCS, KEP_3453, ISSUE_96018],
  },
  {
    id: 'service-endpoints',
    metric: 'endpoints of one service',
    unit: 'endpoints',
    levels: { info: null, warning: 250, critical: null },
    reason: 'beyond the supported maximum the endpoint cascade grows and kube-proxy’s limits are untested',
    action: 'split the service, or use topology-aware routing to keep endpoints local',
    sources: [THRESHOLDS_MD],
  },
  {
    id: 'large-cluster-mode',
    metric: 'endpoints of all services',
    unit: 'endpoints',
    levels: { info: 1000, warning: null, critical: null },
    reason:
      'kube-proxy switches to large cluster mode: no rule comments (names come only from chain hashes) and no stale-chain cleanup',
    action:
      'expect unnamed kube-proxy rules; stale KUBE-SEP chains are not removed by kube-proxy in this mode',
    sources: [PROXIER_GO],
  },
  {
    id: 'both-backends',
    metric: 'iptables backends holding rules (legacy and nft)',
    unit: 'backends',
    levels: { info: null, warning: 1, critical: null },
    reason:
      'packets pass the rules of both backends, but each tool lists only its own: rules nobody sees decide',
    action:
      'move every program to one backend (update-alternatives), then flush the other (iptables-legacy-save lists what remains)',
    sources: [IPTABLES_NFT_SAVE],
  },
  {
    id: 'conntrack-usage',
    metric: 'conntrack entries as a share of nf_conntrack_max',
    unit: '%',
    levels: { info: null, warning: 75, critical: 95 },
    reason:
      'when the table is full the kernel drops new connections ("nf_conntrack: table full, dropping packet")',
    action:
      'raise net.netfilter.nf_conntrack_max (and the hash size), shorten conntrack timeouts, or find what opens so many connections',
    sources: [NODE_MIXIN, NETDATA],
  },
  {
    id: 'duplicate-rules',
    metric: 'rules that repeat an earlier rule of their chain',
    unit: 'rules',
    levels: { info: 0, warning: null, critical: null },
    reason:
      'a repeated rule never matches a packet the first one ended, and a repeated LOG or MARK acts twice',
    action: 'delete the repeats (iptables -D CHAIN N, nft delete rule ... handle N)',
    sources: [IPTABLES_MAN],
  },
  {
    id: 'shadowed-rules',
    metric: 'rules an earlier rule of their chain always catches first',
    unit: 'rules',
    levels: { info: null, warning: 0, critical: null },
    reason: 'they never match: either they are dead weight, or the earlier rule is wider than intended',
    action: 'check the earlier rule; delete or move the later one',
    sources: [IPTABLES_MAN],
  },
  {
    id: 'unreferenced-chains',
    metric: 'user chains nothing jumps to',
    unit: 'chains',
    levels: { info: 0, warning: null, critical: null },
    reason:
      'no packet ever reaches them: leftovers of a program that no longer manages them, or a missing jump',
    action: 'delete them (iptables -X, nft delete chain) or add the missing jump',
    sources: [IPTABLES_MAN],
  },
  {
    id: 'empty-chain-jumps',
    metric: 'rules that jump to an empty chain',
    unit: 'rules',
    levels: { info: 0, warning: null, critical: null },
    reason: 'each packet that matches pays for the jump and comes straight back',
    action: 'delete the jump, or fill the chain if it was meant to hold rules',
    sources: [IPTABLES_MAN],
  },
  {
    id: 'stale-kube-chains',
    metric: 'kube-proxy endpoint and service chains nothing jumps to',
    unit: 'chains',
    levels: { info: null, warning: 0, critical: null },
    reason:
      'kube-proxy skips stale-chain cleanup in large cluster mode; what is left makes every restore bigger',
    action: 'restart kube-proxy (it rewrites its chains) or delete the stale chains',
    sources: [PROXIER_GO],
  },
  {
    id: 'dnat-unroutable',
    metric: 'DNAT targets no route of the host reaches',
    unit: 'addresses',
    levels: { info: null, warning: 0, critical: null },
    reason:
      'traffic rewritten to an address with no route (or a blackhole, unreachable or prohibit route) is dropped after the DNAT',
    action: 'check the endpoint’s address and the routes to its node (CNI, host-gw routes, tunnels)',
    sources: [IPTABLES_MAN],
  },
] as const satisfies readonly Threshold[];

export type ThresholdId = (typeof thresholds)[number]['id'];

export function thresholdOf(id: ThresholdId): Threshold {
  return thresholds.find((t) => t.id === id)!;
}

/** The highest level `measured` is above, and that level's number; null when under every level. */
export function thresholdCrossed(
  t: Threshold,
  measured: number,
): { severity: Severity; threshold: number } | null {
  for (const severity of ['critical', 'warning', 'info'] as const) {
    const level = t.levels[severity];
    if (level !== null && measured > level) return { severity, threshold: level };
  }
  return null;
}

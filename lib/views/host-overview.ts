import { z } from 'zod';
import { HostMeta, Diagnostic, type Snapshot } from '../model/snapshot';
import { Address, Interface, PolicyRule, Route } from '../model/iproute';
import { snapshotStats } from '../snapshot/stats';
import { Pipeline, netfilterPipeline } from './netfilter-pipeline';
import type { IndexedTable, RulesetIndex } from './ruleset-index';

/**
 * What the host overview shows of one snapshot: who it is, its netfilter pipeline and its routing
 * state. Routes are capped: a router with a full BGP table would otherwise send a megabyte.
 */

export const routesShown = 500;

/** Which snapshot a view shows: a host (stored, or an example), a pod of it, a stored snapshot id. */
export const Subject = z.object({
  host: z.string().min(1).max(200),
  pod: z.string().min(1).max(200).nullable(),
  snapshot: z.number().int().positive().nullable(),
});
export type Subject = z.infer<typeof Subject>;

export const TableSummary = z.object({
  key: z.string(),
  engine: z.enum(['iptables', 'nft']),
  family: z.string(),
  name: z.string(),
  backend: z.string().nullable(),
  chains: z.number().int().nonnegative(),
  rules: z.number().int().nonnegative(),
  sets: z.number().int().nonnegative(),
});
export type TableSummary = z.infer<typeof TableSummary>;

export function tableSummary(t: IndexedTable): TableSummary {
  return {
    key: t.key,
    engine: t.engine,
    family: t.family,
    name: t.name,
    backend: t.backend,
    chains: t.chains.length,
    rules: t.chains.reduce((n, c) => n + c.rules.length, 0),
    sets: t.sets.length,
  };
}

export const PodSummary = z.object({
  name: z.string(),
  /** Rules in the pod's own namespace; null when its rules were not collected. */
  rules: z.number().int().nonnegative().nullable(),
  addresses: z.array(z.string()),
});
export type PodSummary = z.infer<typeof PodSummary>;

export const HostOverview = z.object({
  subject: Subject,
  meta: HostMeta,
  /** Null when no iptables or nft output was collected for this namespace. */
  rules: z.number().int().nonnegative().nullable(),
  chains: z.number().int().nonnegative(),
  tables: z.array(TableSummary),
  pipelines: z.array(Pipeline),
  interfaces: z.array(Interface),
  addresses: z.array(Address),
  routes: z.array(Route),
  routesTotal: z.number().int().nonnegative(),
  policyRules: z.array(PolicyRule),
  sysctls: z.record(z.string(), z.string()),
  diagnostics: z.array(Diagnostic),
  sources: z.array(z.object({ origin: z.string(), format: z.string() })),
  pods: z.array(PodSummary),
  /** Pods of the host, also when the subject is one of them. */
  hostPods: z.array(z.string()),
});
export type HostOverview = z.infer<typeof HostOverview>;

/** Whether the snapshot holds any netfilter output (pods are often collected without it). */
export function netfilterCollected(snap: Snapshot): boolean {
  return snap.sources.some((s) => s.format.startsWith('iptables-save') || s.format === 'nft-json');
}

export function podSummary(pod: Snapshot): PodSummary {
  return {
    name: pod.host.name,
    rules: netfilterCollected(pod) ? snapshotStats(pod).rules.total : null,
    addresses: pod.addresses.filter((a) => a.scope !== 'host').map((a) => `${a.local}/${a.prefixlen}`),
  };
}

export function hostOverview(
  subject: Subject,
  host: Snapshot,
  snap: Snapshot,
  index: RulesetIndex,
): HostOverview {
  const stats = snapshotStats(snap);
  return {
    subject,
    meta: snap.host,
    rules: netfilterCollected(snap) ? stats.rules.total : null,
    chains: stats.chains,
    tables: index.tables.map(tableSummary),
    pipelines: [netfilterPipeline(index, 'ip'), netfilterPipeline(index, 'ip6')],
    interfaces: snap.interfaces,
    addresses: snap.addresses,
    routes: snap.routes.slice(0, routesShown),
    routesTotal: snap.routes.length,
    policyRules: snap.policyRules,
    sysctls: snap.sysctls,
    diagnostics: snap.diagnostics,
    sources: snap.sources,
    pods: snap.pods.map(podSummary),
    hostPods: host.pods.map((p) => p.host.name),
  };
}

import { z } from 'zod';
import { IpFamily, Source } from './common';
import { IptablesDump, IptBackend } from './iptables';
import { Address, Interface, Neighbour, PolicyRule, Route } from './iproute';
import { IpSet } from './ipset';
import { NftRuleset } from './nftables';

/**
 * The contract every part of packetlens speaks: one host, or one pod network namespace of a host,
 * at one time. Pods are child snapshots of their host.
 */

export const SnapshotKind = z.enum(['host', 'pod', 'import']);

export const HostMeta = z.object({
  name: z.string().min(1),
  kind: SnapshotKind,
  /** What the host calls itself (`hostname`), when collected. */
  hostname: z.string().nullable(),
  /** `uname -r`, when collected. */
  kernel: z.string().nullable(),
  /** ISO 8601 time of collection or import. */
  collectedAt: z.string(),
  /** The backend `iptables` points at on this host (from the dump header or the collector). */
  iptablesBackend: IptBackend,
  /** Backends whose tables hold at least one rule; both at once means rules one view hides. */
  backendsWithRules: z.array(z.enum(['nft', 'legacy'])),
  labels: z.record(z.string(), z.string()),
  /** Example data the project captured, shown as such in the dashboard. */
  example: z.boolean(),
  /** For a pod: how its network namespace was found. */
  netns: z.object({ name: z.string().nullable(), pid: z.number().int().nullable() }).nullable(),
});
export type HostMeta = z.infer<typeof HostMeta>;

export const Diagnostic = z.object({
  severity: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  /** File or command the diagnostic is about. */
  origin: z.string().nullable(),
  line: z.number().int().nullable(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

export const NetfilterState = z.object({
  /** One dump per family and backend (`iptables-save`, `ip6tables-save`, legacy variants). */
  iptables: z.array(IptablesDump),
  /** `nft -j list ruleset`; tables iptables-nft manages are marked so nothing is counted twice. */
  nftables: NftRuleset.nullable(),
});
export type NetfilterState = z.infer<typeof NetfilterState>;

export const Snapshot = z.object({
  schemaVersion: z.literal(1),
  host: HostMeta,
  netfilter: NetfilterState,
  interfaces: z.array(Interface),
  addresses: z.array(Address),
  routes: z.array(Route),
  policyRules: z.array(PolicyRule),
  neighbours: z.array(Neighbour),
  ipsets: z.array(IpSet),
  /** Key sysctls by their dotted name, e.g. `net.ipv4.ip_forward`. */
  sysctls: z.record(z.string(), z.string()),
  /** Families whose routes and policy rules were collected (an empty list means "not collected"). */
  routingFamilies: z.array(IpFamily),
  sources: z.array(Source),
  diagnostics: z.array(Diagnostic),
  /** Pod network namespaces of this host, each a snapshot of its own. */
  get pods() {
    return z.array(Snapshot);
  },
});
export type Snapshot = z.infer<typeof Snapshot>;

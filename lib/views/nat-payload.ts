import { z } from 'zod';
import { FlowsSummary } from '../analyze/flow-model';
import { RuleRef } from '../analyze/rule-ref';
import { Subject } from './host-overview';

/**
 * The NAT view's payload (GET /api/hosts/HOST/nat): one page of a host's DNAT flows, searched on
 * the server, and its SNAT / MASQUERADE egress. A 10,000-service node has tens of thousands of
 * flows: the browser only ever gets a page of them.
 */

export const natPageSizeDefault = 20;
export const natPageSizeMax = 100;
/** SNAT flows are one per CNI attachment at most (a node's pods): more than this is cut, and said. */
export const natEgressShown = 300;

export const NatQuery = z.object({
  q: z.string().max(200).default(''),
  page: z.coerce.number().int().positive().default(1),
  pageSize: z.coerce.number().int().min(1).max(natPageSizeMax).default(natPageSizeDefault),
});
export type NatQuery = z.output<typeof NatQuery>;

/** A share of new connections: as the kernel applies it, its exact fraction, and as the page prints it. */
export const NatShare = z.object({
  value: z.number(),
  fraction: z.string().nullable(),
  /** `33.3%`. */
  percent: z.string(),
});
export type NatShare = z.infer<typeof NatShare>;

/** A rule, with the key of its table in the chains view (null when the view does not show it). */
export const NatRule = RuleRef.extend({ tableKey: z.string().nullable() });
export type NatRule = z.infer<typeof NatRule>;

/** Who has an address, when the fleet knows: a pod of a node, or a node itself. */
export const AddressOwner = z.object({
  kind: z.enum(['pod', 'host']),
  /** The pod's name (`default/web-0`) or the host's. */
  name: z.string(),
  node: z.string(),
});
export type AddressOwner = z.infer<typeof AddressOwner>;

export const NatEndpoint = z.object({
  kind: z.enum(['dnat', 'redirect']),
  /** As the rule writes it: `10.244.1.2:80`, `:8080` for REDIRECT. */
  to: z.string(),
  address: z.string().nullable(),
  port: z.string().nullable(),
  /** Null when a packet field (not a share) picks the endpoint: see `chosenBy`. */
  share: NatShare.nullable(),
  chosenBy: z.string().nullable(),
  owner: AddressOwner.nullable(),
  rule: NatRule,
});
export type NatEndpoint = z.infer<typeof NatEndpoint>;

export const NatOutcome = z.object({
  kind: z.enum(['accept', 'drop', 'reject', 'falls-through', 'undecided']),
  share: NatShare.nullable(),
  detail: z.string(),
  rule: NatRule.nullable(),
});
export type NatOutcome = z.infer<typeof NatOutcome>;

export const NatBranch = z.object({
  /** Conditions of the packets this branch is about; empty for the branch that takes the rest. */
  when: z.array(z.string()),
  endpoints: z.array(NatEndpoint),
  outcomes: z.array(NatOutcome),
  /** Why the shares do not add up to 1; empty when they do. */
  why: z.array(z.string()),
  /** Session affinity: shares are for new clients; a known client returns to its endpoint. */
  affinity: z.object({ seconds: z.number().nullable() }).nullable(),
});
export type NatBranch = z.infer<typeof NatBranch>;

export const NatCatchKind = z.enum(['cluster-ip', 'node-port', 'external', 'host-port', 'other']);
export type NatCatchKind = z.infer<typeof NatCatchKind>;

/** The Life of a packet query for a flow (the trace view's URL parameters). */
export const NatTraceLink = z.object({
  scope: z.enum(['store', 'examples']),
  from: z.string(),
  entry: z.enum(['pod', 'host']),
  dst: z.string(),
  dport: z.number().int().nullable(),
  proto: z.string(),
});
export type NatTraceLink = z.infer<typeof NatTraceLink>;

export const NatDnatFlow = z.object({
  id: z.string(),
  kind: NatCatchKind,
  /** What is caught, short: `10.96.0.10:80/tcp`, `local:30080/tcp`. */
  label: z.string(),
  /** Everything the flow catches, in one line (`tcp to 10.96.0.10/32 port 80`). */
  catchText: z.string(),
  /** kube-proxy's `namespace/name:port`, when the rules say. */
  service: z.string().nullable(),
  /** Who wrote it: `kube-proxy (iptables) NodePort`, `Docker (DOCKER)`, `CNI host port`, `rule`. */
  owner: z.string(),
  entry: NatRule,
  element: z.string().nullable(),
  branches: z.array(NatBranch),
  /** Each reason this flow's shares are not certain for every packet, named; empty when they are. */
  uncertain: z.array(z.string()),
  notes: z.array(z.string()),
  trace: NatTraceLink.nullable(),
});
export type NatDnatFlow = z.infer<typeof NatDnatFlow>;

/** One interface a SNAT flow's packets can leave by, and the source address they then get. */
export const NatEgressInterface = z.object({
  name: z.string(),
  family: z.enum(['ip', 'ip6']),
  /** The address the kernel writes; several when it depends on the next hop (see `when`). */
  sources: z.array(z.object({ address: z.string(), when: z.string().nullable() })),
  /** Why no address can be named (no global address: the kernel drops the packet), when none. */
  problem: z.string().nullable(),
});
export type NatEgressInterface = z.infer<typeof NatEgressInterface>;

export const NatEgress = z.object({
  id: z.string(),
  kind: z.enum(['masquerade', 'snat']),
  /** `MASQUERADE (random-fully)`, `SNAT to 192.0.2.1`. */
  translation: z.string(),
  owner: z.string(),
  /** Which packets it translates, in one line. */
  sources: z.string(),
  rule: NatRule,
  /** Rules before it that let some packets leave untranslated. */
  exempt: z.array(z.object({ verdict: z.string(), rule: NatRule })),
  /** Where the marks it needs are set: `0x4000/0x4000 set by ... (9 rules send packets there)`. */
  marks: z.array(z.string()),
  interfaces: z.array(NatEgressInterface),
  notes: z.array(z.string()),
});
export type NatEgress = z.infer<typeof NatEgress>;

export const NatPage = z.object({
  subject: Subject,
  summary: FlowsSummary,
  q: z.string(),
  page: z.number().int().positive(),
  pageSize: z.number().int().positive(),
  pages: z.number().int().nonnegative(),
  /** DNAT flows the search matched (all of them without a search). */
  matched: z.number().int().nonnegative(),
  dnat: z.array(NatDnatFlow),
  egress: z.array(NatEgress),
  egressTotal: z.number().int().nonnegative(),
  /** Pods of the host, for the picker (also when one of them is shown). */
  pods: z.array(z.string()),
});
export type NatPage = z.infer<typeof NatPage>;

/** A host the view's picker offers. */
export interface NatHostChoice {
  host: string;
  kind: 'collected' | 'import' | 'example';
}

/** `33.3%`, `100%`, `0.0000466%`: one decimal, more when that would print a share as 0. */
export function percentText(value: number): string {
  const p = value * 100;
  if (p === 0 || p === 100) return `${p}%`;
  const fixed = p.toFixed(1);
  if (Number(fixed) !== 0) return `${fixed}%`;
  // Three significant digits of a tiny share, written out (`0.0000000466%`, not `4.66e-8%`).
  return `${p.toFixed(Math.min(20, 2 - Math.floor(Math.log10(p))))}%`;
}

/** `33.3% (1/3)`; the fraction only when it says more than the percentage. */
export function shareText(s: NatShare): string {
  return s.fraction && s.fraction !== '1' && s.fraction !== '0' ? `${s.percent} (${s.fraction})` : s.percent;
}

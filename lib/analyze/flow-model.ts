import { z } from 'zod';
import type { Atom } from './atoms';
import { atomDim } from './atoms';
import { RuleRef } from './rule-ref';

/**
 * The shape of NAT flows, shared by iptables (dnat-flows.ts, snat-flows.ts) and native nft
 * (nft-flows.ts): what a flow catches, who wrote it, and where its packets go with what share.
 */

/** One condition as the rule wrote it. */
export const Condition = z.object({ value: z.string(), negate: z.boolean() });
export type Condition = z.infer<typeof Condition>;

/** What a flow catches: the conditions on its way from the built-in (or base) chain to its entry. */
export const Catch = z.object({
  protocol: z.array(Condition),
  source: z.array(Condition),
  sourcePorts: z.array(Condition),
  destination: z.array(Condition),
  destinationPorts: z.array(Condition),
  /** `-m addrtype --src-type` / `fib saddr type`, e.g. LOCAL. */
  sourceType: z.array(Condition),
  /** `-m addrtype --dst-type` / `fib daddr type`: LOCAL for host ports and NodePorts. */
  destinationType: z.array(Condition),
  inInterface: z.array(Condition),
  outInterface: z.array(Condition),
  /** Packet or connection marks, e.g. `0x4000/0x4000`. */
  marks: z.array(Condition),
  /** Other conditions, in the rule's own syntax (`-m conntrack --ctstate NEW`, `ct state new`). */
  other: z.array(z.string()),
});
export type Catch = z.infer<typeof Catch>;

/** A share of a flow's packets. */
export const Probability = z.object({
  /** As the kernel applies it (iptables keeps random probabilities as multiples of 2^-31). */
  value: z.number(),
  /** The exact fraction the rules ask for, e.g. `1/3`; null when none can be stated. */
  fraction: z.string().nullable(),
});
export type Probability = z.infer<typeof Probability>;

export const Endpoint = z.object({
  kind: z.enum(['dnat', 'redirect']),
  /** The new destination as the rule writes it: `10.180.0.1:80`, `[ff06::c1]:80`, `:8080` for REDIRECT. */
  to: z.string(),
  /** Address or range; null for REDIRECT (this host) and a DNAT that changes only the port. */
  address: z.string().nullable(),
  /** Port or range; null when the port is kept. */
  port: z.string().nullable(),
  /** Null when a packet field picks the endpoint (an nft map keyed by the source address, say). */
  probability: Probability.nullable(),
  /** How the endpoint is picked when not by a share: `jhash ip saddr mod 2`, `ip daddr map @x`. */
  chosenBy: z.string().nullable(),
  /** The rule that rewrites the destination. */
  rule: RuleRef,
  /** Rules between the flow's entry and that rule (statistic jumps, endpoint chains, map lookups). */
  via: z.array(RuleRef),
});
export type Endpoint = z.infer<typeof Endpoint>;

/** Where packets of a branch go when not to an endpoint. */
export const Outcome = z.object({
  kind: z.enum(['accept', 'drop', 'reject', 'falls-through', 'undecided']),
  /** Null when a packet field, not a share, sends packets here. */
  probability: Probability.nullable(),
  /** The deciding rule; for `falls-through`, the last rule they passed. */
  rule: RuleRef.nullable(),
  detail: z.string(),
});
export type Outcome = z.infer<typeof Outcome>;

export const Branch = z.object({
  /**
   * Conditions, beyond the flow's catch, of the packets this branch is about, in rule syntax.
   * Branches are in rule order: a packet takes the first one whose conditions it meets; the branch
   * with no conditions takes the rest.
   */
  when: z.array(z.string()),
  endpoints: z.array(Endpoint),
  outcomes: z.array(Outcome),
  /** Sum of the endpoints' probabilities; null when packet fields, not shares, pick them. */
  endpointSum: Probability.nullable(),
  /** Why the endpoints' probabilities do not sum to 1; empty when they do. */
  why: z.array(z.string()),
  /** Rules on the way that only mark packets (for masquerading) and let them go on. */
  marks: z.array(RuleRef),
  /** Session affinity: a client seen within `seconds` goes back to its endpoint; shares are for new clients. */
  affinity: z.object({ seconds: z.number().nullable(), rules: z.array(RuleRef) }).nullable(),
});
export type Branch = z.infer<typeof Branch>;

/** The one branch of a service without endpoints: every packet dropped or rejected by `rule`. */
export function noEndpointsBranch(verdict: 'drop' | 'reject', rule: RuleRef, why: string): Branch {
  return {
    when: [],
    endpoints: [],
    outcomes: [{ kind: verdict, probability: { value: 1, fraction: '1' }, rule, detail: why }],
    endpointSum: { value: 0, fraction: '0' },
    why: [why],
    marks: [],
    affinity: null,
  };
}

export const KubeServiceKind = z.enum(['ClusterIP', 'NodePort', 'ExternalIP', 'LoadBalancer', 'External']);
export type KubeServiceKind = z.infer<typeof KubeServiceKind>;

export const FlowOwner = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('kube-proxy'),
    mode: z.enum(['iptables', 'nftables']),
    /** `namespace/name:port`; null when the rules do not say (no comments in large cluster mode). */
    service: z.string().nullable(),
    /**
     * `External`: an ExternalIP or LoadBalancer IP that the rules do not tell apart (nftables mode,
     * or iptables rules without comments).
     */
    serviceKind: KubeServiceKind,
    /** The service's endpoint chain (`KUBE-SVC-...`, `service-...`), when reached. */
    serviceChain: z.string().nullable(),
    /** `Local` when only this node's endpoints serve the traffic (KUBE-SVL, eTP/iTP=Local). */
    trafficPolicy: z.enum(['Cluster', 'Local']),
    /** loadBalancerSourceRanges: a firewall chain (`KUBE-FW-...`, `firewall-...`) screens sources. */
    sourceRanges: z.boolean(),
  }),
  z.object({ kind: z.literal('docker'), chain: z.string() }),
  z.object({
    kind: z.literal('cni-hostport'),
    chain: z.string(),
    /** CNI network and container id from the portmap plugin's comment. */
    network: z.string().nullable(),
    containerId: z.string().nullable(),
  }),
  z.object({ kind: z.literal('rule') }),
]);
export type FlowOwner = z.infer<typeof FlowOwner>;

/** One way into a flow: from a built-in (or base) chain, rule by rule, to the entry. */
export const FlowPath = z.object({
  /** The built-in chain (`PREROUTING`, `OUTPUT`) or nft base chain the path starts in. */
  start: z.string(),
  rules: z.array(RuleRef),
  catch: Catch,
});
export type FlowPath = z.infer<typeof FlowPath>;

export const DnatFlow = z.object({
  /** Stable within a snapshot: family, backend, table, chain and rule index of the entry. */
  id: z.string(),
  /** The rule that selects the flow's traffic (the deepest one naming a destination on its way). */
  entry: RuleRef,
  /** For an nft map entry: the element that selects it, e.g. `172.30.0.41 . tcp . 80 : goto service-...`. */
  element: z.string().nullable(),
  /** What the flow catches, as all its paths agree. */
  catch: Catch,
  paths: z.array(FlowPath),
  owner: FlowOwner,
  branches: z.array(Branch),
  notes: z.array(z.string()),
});
export type DnatFlow = z.infer<typeof DnatFlow>;

const DIMENSION_FIELDS: Partial<Record<string, keyof Omit<Catch, 'other'>>> = {
  'names/proto': 'protocol',
  'addr/src': 'source',
  'port/sport': 'sourcePorts',
  'addr/dst': 'destination',
  'port/dport': 'destinationPorts',
  'names/srcType': 'sourceType',
  'names/dstType': 'destinationType',
  'iface/in': 'inInterface',
  'iface/out': 'outInterface',
  'mark/mark': 'marks',
  'mark/connmark': 'marks',
};

/**
 * One empty list shared by every catch field that is empty: a large node has tens of thousands of
 * flows, most fields of their catches are empty, and nothing changes a catch once made.
 */
const NONE: never[] = Object.freeze([]) as unknown as never[];

export function emptyCatch(): Catch {
  return {
    protocol: NONE,
    source: NONE,
    sourcePorts: NONE,
    destination: NONE,
    destinationPorts: NONE,
    sourceType: NONE,
    destinationType: NONE,
    inInterface: NONE,
    outInterface: NONE,
    marks: NONE,
    other: NONE,
  };
}

/** `!value` for a negated condition, `value` otherwise: two conditions that read the same are one. */
function sameReading(c: Condition, negate: boolean, value: string): boolean {
  if (c.negate === negate) return c.value === value;
  const [plain, negated] = negate ? [c.value, value] : [value, c.value];
  return plain.startsWith('!') && plain === `!${negated}`;
}

/** A catch from atoms; each condition once (by what it says), in the order the rules give them. */
export function catchOf(atoms: readonly Atom[]): Catch {
  const c = emptyCatch();
  // Lists of a few conditions each: scanned, rather than keyed in a set (a large node makes tens of thousands).
  for (let i = 0; i < atoms.length; i++) {
    const a = atoms[i]!;
    const field = DIMENSION_FIELDS[atomDim(a)];
    if (field) {
      const { negate, value } = a.cond;
      if (c[field].some((x) => sameReading(x, negate, value))) continue;
      c[field] = c[field] === NONE ? [a.cond] : [...c[field], a.cond];
    } else {
      const text = a.text;
      if (c.other.includes(text)) continue;
      c.other = c.other === NONE ? [text] : [...c.other, text];
    }
  }
  return c;
}

export const SnatTranslation = z.object({
  kind: z.enum(['masquerade', 'snat']),
  /** The new source as written (`--to-source`, `snat to`); null for masquerade (the outgoing interface's address). */
  toSource: z.string().nullable(),
  /** Source ports of a masquerade (`--to-ports`), as written. */
  toPorts: z.string().nullable(),
  /** `random`, `random-fully`, `persistent` (iptables) or `random`, `fully-random`, `persistent` (nft). */
  flags: z.array(z.string()),
});
export type SnatTranslation = z.infer<typeof SnatTranslation>;

/** A rule before the translation on the way to it that lets some packets leave untranslated. */
export const Exemption = z.object({
  rule: RuleRef,
  /** `RETURN`, `ACCEPT`, ... (iptables) or `return`, `accept` (nft). */
  verdict: z.string(),
  catch: Catch,
});
export type Exemption = z.infer<typeof Exemption>;

/** Where a mark the translation depends on comes from. */
export const MarkSource = z.object({
  /** The mark condition as written, e.g. `0x4000/0x4000`. */
  mark: z.string(),
  /** Rules that set it (iptables MARK, nft `meta mark set`). */
  setBy: z.array(RuleRef),
  /** Rules that send packets to those setters' chains (`-j KUBE-MARK-MASQ`): how many, and the first few. */
  jumps: z.number().int().nonnegative(),
  examples: z.array(RuleRef),
});
export type MarkSource = z.infer<typeof MarkSource>;

export const SnatFlow = z.object({
  id: z.string(),
  /** The MASQUERADE / SNAT rule. */
  rule: RuleRef,
  translation: SnatTranslation,
  /**
   * What reaches the translation: the conditions on every way to it, and the negation of each
   * one-condition exemption before it (`! --mark 0x4000/0x4000 -j RETURN` leaves only marked packets).
   */
  catch: Catch,
  paths: z.array(FlowPath),
  exempt: z.array(Exemption),
  marks: z.array(MarkSource),
  owner: z.enum(['kube-proxy', 'docker', 'cni', 'rule']),
  notes: z.array(z.string()),
});
export type SnatFlow = z.infer<typeof SnatFlow>;

/** Counts over a snapshot's flows. */
export const FlowsSummary = z.object({
  /** Distinct kube-proxy services (`namespace/name:port`) with a flow. */
  services: z.number().int().nonnegative(),
  /** Distinct endpoints (`address:port`) of kube-proxy services. */
  endpoints: z.number().int().nonnegative(),
  dnatFlows: z.number().int().nonnegative(),
  snatFlows: z.number().int().nonnegative(),
  /** Flows with a branch whose endpoint shares do not add up to 1 (each says why). */
  incomplete: z.number().int().nonnegative(),
});
export type FlowsSummary = z.infer<typeof FlowsSummary>;

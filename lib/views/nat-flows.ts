import type {
  Branch,
  Catch,
  Condition,
  DnatFlow,
  FlowOwner,
  Probability,
  SnatFlow,
} from '../analyze/flow-model';
import { catchText } from '../analyze/flow-text';
import type { FlowsResult } from '../analyze/flows';
import type { RuleRef } from '../analyze/rule-ref';
import type { Snapshot } from '../model/snapshot';
import { ipParse, prefixContains, prefixParse, type Ip, type Prefix } from '../simulate/ip';
import { TraceProto } from '../simulate/query';
import type { Subject } from './host-overview';
import { egressContext, egressInterfaces, ruleFamilies } from './nat-egress';
import {
  natEgressShown,
  percentText,
  type AddressOwner,
  type NatBranch,
  type NatCatchKind,
  type NatDnatFlow,
  type NatEgress,
  type NatPage,
  type NatQuery,
  type NatRule,
  type NatShare,
  type NatTraceLink,
} from './nat-payload';
import { iptTableKey, nftTableKey, type RulesetIndex } from './ruleset-index';

/**
 * The NAT view from `snapshotFlows`: the flows of a snapshot analysed once and indexed for search
 * (`natIndex`, kept per prepared snapshot), then one page of them per request (`natPage`), with
 * endpoints named from what the fleet knows and a Life of a packet query for each flow.
 */

interface FlowKeys {
  /** Lowercase text a word is looked for in: service, owner, what is caught, endpoints, chains. */
  text: string;
  ports: [number, number][];
  /** Destinations caught and endpoint addresses. */
  prefixes: Prefix[];
}

export interface NatIndex {
  summary: FlowsResult['summary'];
  /** DNAT flows in the order the view lists them: host ports first, then services by name. */
  flows: DnatFlow[];
  keys: FlowKeys[];
  egress: NatEgress[];
  egressTotal: number;
}

/** Where a flow's Life of a packet query starts, and what `local` destinations stand for. */
export interface NatTraceStart {
  scope: NatTraceLink['scope'];
  /** The host itself (its OUTPUT path), or one of its pods (by the name the trace view takes). */
  from: string;
  entry: NatTraceLink['entry'];
  /** An address of the host, for flows caught by address type LOCAL (NodePorts, host ports). */
  localAddress: string | null;
}

export interface NatPageContext {
  subject: Subject;
  /** Pods and nodes of the fleet by address. */
  owners: ReadonlyMap<string, AddressOwner>;
  trace: NatTraceStart | null;
  pods: string[];
}

const positive = (cs: readonly Condition[]) => cs.filter((c) => !c.negate).map((c) => c.value);

function kindOf(f: DnatFlow): NatCatchKind {
  const o = f.owner;
  if (o.kind === 'docker' || o.kind === 'cni-hostport') return 'host-port';
  if (o.kind !== 'kube-proxy') return 'other';
  if (o.serviceKind === 'ClusterIP') return 'cluster-ip';
  return o.serviceKind === 'NodePort' ? 'node-port' : 'external';
}

const kindRank: Record<NatCatchKind, number> = {
  'host-port': 0,
  other: 1,
  'cluster-ip': 2,
  'node-port': 3,
  external: 4,
};

function serviceOf(f: DnatFlow): string | null {
  return f.owner.kind === 'kube-proxy' ? f.owner.service : null;
}

/** `10.96.0.10/32` → `10.96.0.10`: a one-address prefix is written as the address. */
function hostAddress(value: string): string {
  return value.replace(/\/(32|128)$/, '');
}

function catchLabel(c: Catch): string {
  const dst = positive(c.destination)[0];
  const address = dst ? hostAddress(dst) : positive(c.destinationType).includes('LOCAL') ? 'local' : '*';
  const port = positive(c.destinationPorts)[0];
  const proto = positive(c.protocol)[0];
  const at = address.includes(':') && port ? `[${address}]` : address;
  return `${at}${port ? `:${port}` : ''}${proto ? `/${proto}` : ''}`;
}

function ownerText(o: FlowOwner): string {
  switch (o.kind) {
    case 'kube-proxy':
      return (
        `kube-proxy (${o.mode}) ${o.serviceKind}` +
        (o.service === null && o.serviceChain ? ` ${o.serviceChain}` : '') +
        (o.trafficPolicy === 'Local' ? ', traffic policy Local' : '') +
        (o.sourceRanges ? ', source ranges' : '')
      );
    case 'docker':
      return `Docker (${o.chain})`;
    case 'cni-hostport':
      return (
        `CNI host port (${o.chain}` +
        (o.network ? `, network ${o.network}` : '') +
        (o.containerId ? `, container ${o.containerId.slice(0, 12)}` : '') +
        ')'
      );
    case 'rule':
      return 'rule';
  }
}

/** Ports of `80`, `30000:32767`, `80,443`, `{ 80, 443 }`, `8000-8010`. */
function portRanges(values: readonly string[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values)
    for (const part of v.replace(/[{}]/g, '').split(/[\s,]+/)) {
      const m = /^(\d+)(?:[:-](\d+))?$/.exec(part);
      if (m) out.push([Number(m[1]), Number(m[2] ?? m[1])]);
    }
  return out;
}

function flowKeys(f: DnatFlow): FlowKeys {
  const endpoints = f.branches.flatMap((b) => b.endpoints);
  const text = [
    serviceOf(f) ?? '',
    ownerText(f.owner),
    catchLabel(f.catch),
    catchText(f.catch),
    f.entry.chain,
    f.element ?? '',
    ...endpoints.map((e) => e.to),
  ]
    .join('\n')
    .toLowerCase();
  const prefixes = [...positive(f.catch.destination), ...endpoints.flatMap((e) => e.address ?? [])]
    .map((a) => prefixParse(a))
    .filter((p): p is Prefix => p !== null);
  const ports = portRanges([
    ...positive(f.catch.destinationPorts),
    ...endpoints.flatMap((e) => (e.port ? [e.port] : [])),
  ]);
  return { text, ports, prefixes };
}

/** A word of the search: a port, an address or CIDR, or text. */
type Word =
  | { kind: 'port'; port: number }
  | { kind: 'address'; ip: Ip }
  | { kind: 'cidr'; prefix: Prefix }
  | { kind: 'text'; text: string };

function wordsOf(q: string): Word[] {
  return q
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((w): Word => {
      if (/^\d{1,5}$/.test(w)) return { kind: 'port', port: Number(w) };
      const ip = ipParse(w);
      if (ip) return { kind: 'address', ip };
      const prefix = w.includes('/') ? prefixParse(w) : null;
      if (prefix) return { kind: 'cidr', prefix };
      return { kind: 'text', text: w.toLowerCase() };
    });
}

function wordMatches(k: FlowKeys, w: Word): boolean {
  switch (w.kind) {
    case 'port':
      return k.ports.some(([lo, hi]) => lo <= w.port && w.port <= hi);
    case 'address':
      return k.prefixes.some((p) => prefixContains(p, w.ip));
    case 'cidr':
      return k.prefixes.some(
        (p) => p.len >= w.prefix.len && prefixContains(w.prefix, { family: p.family, value: p.value }),
      );
    case 'text':
      return k.text.includes(w.text);
  }
}

function tableKey(index: RulesetIndex, r: RuleRef): string | null {
  const keys =
    r.source === 'nftables'
      ? [nftTableKey(r.family, r.table)]
      : [iptTableKey(r.family, r.table, r.backend === 'legacy'), iptTableKey(r.family, r.table, false)];
  return keys.find((k) => index.tableByKey.has(k)) ?? null;
}

function egressOf(f: SnatFlow, index: RulesetIndex, ctx: ReturnType<typeof egressContext>): NatEgress {
  const t = f.translation;
  const flags = t.flags.length ? ` (${t.flags.join(', ')})` : '';
  const rule = (r: RuleRef): NatRule => ({ ...r, tableKey: tableKey(index, r) });
  return {
    id: f.id,
    kind: t.kind,
    translation:
      t.kind === 'snat'
        ? `SNAT to ${t.toSource}${flags}`
        : `MASQUERADE${t.toPorts ? ` to ports ${t.toPorts}` : ''}${flags}`,
    owner: f.owner,
    sources: catchText(f.catch),
    rule: rule(f.rule),
    exempt: f.exempt.map((e) => ({ verdict: e.verdict, rule: rule(e.rule) })),
    marks: f.marks.map(
      (m) =>
        `${m.mark} set by ${m.setBy.map((r) => r.text).join('; ') || 'no rule of this table'} ` +
        `(${m.jumps} rule${m.jumps === 1 ? '' : 's'} send packets there)`,
    ),
    interfaces: egressInterfaces(
      ctx,
      ruleFamilies(f.rule.family),
      f.catch.destination,
      f.catch.outInterface,
      f.rule.source === 'nftables',
      t.kind === 'snat' ? t.toSource : null,
    ),
    notes: f.notes,
  };
}

/** The flows of one namespace, analysed and indexed: computed once per prepared snapshot. */
/** `result` is `snapshotFlows(snapshot)`, passed in so the views that need the flows share one analysis. */
export function natIndex(snapshot: Snapshot, index: RulesetIndex, result: FlowsResult): NatIndex {
  const flows = result.dnat
    .map((f, i) => ({ f, i, kind: kindOf(f), service: serviceOf(f) }))
    .sort(
      (a, b) =>
        Number(a.kind !== 'host-port' && a.kind !== 'other') -
          Number(b.kind !== 'host-port' && b.kind !== 'other') ||
        (a.service ?? '\uffff').localeCompare(b.service ?? '\uffff') ||
        kindRank[a.kind] - kindRank[b.kind] ||
        a.i - b.i,
    )
    .map((x) => x.f);
  const ctx = egressContext(snapshot);
  return {
    summary: result.summary,
    flows,
    keys: flows.map(flowKeys),
    egress: result.snat.slice(0, natEgressShown).map((f) => egressOf(f, index, ctx)),
    egressTotal: result.snat.length,
  };
}

function share(p: Probability | null): NatShare | null {
  return p ? { value: p.value, fraction: p.fraction, percent: percentText(p.value) } : null;
}

/** Each reason the flow's shares do not hold for every new connection, named. */
function uncertainties(f: DnatFlow): string[] {
  const out = new Set<string>();
  const split = f.branches.length > 1 || f.branches.some((b) => b.when.length > 0);
  for (const b of f.branches) {
    if (split)
      out.add(
        b.when.length
          ? `a case of its own: packets matching ${b.when.join(' and ')}`
          : 'a case of its own: every other packet (“otherwise”)',
      );
    for (const e of b.endpoints)
      if (!e.probability) out.add(`${e.to} is chosen by ${e.chosenBy ?? 'a packet field'}, not by a share`);
    for (const o of b.outcomes) if (o.kind === 'undecided') out.add(`undecided: ${o.detail}`);
    for (const w of b.why) out.add(w);
    if (b.affinity)
      out.add(
        `session affinity${b.affinity.seconds !== null ? ` for ${b.affinity.seconds} s` : ''}: a known client returns to its endpoint; the shares are for new clients`,
      );
  }
  return [...out];
}

function traceLink(f: DnatFlow, start: NatTraceStart | null): NatTraceLink | null {
  if (!start) return null;
  const dst = positive(f.catch.destination)[0];
  const address = dst
    ? ipParse(hostAddress(dst))
      ? hostAddress(dst)
      : null
    : positive(f.catch.destinationType).includes('LOCAL')
      ? start.localAddress
      : null;
  if (!address) return null;
  const ports = portRanges(positive(f.catch.destinationPorts));
  const proto = TraceProto.safeParse(positive(f.catch.protocol)[0] ?? 'tcp');
  return {
    scope: start.scope,
    from: start.from,
    entry: start.entry,
    dst: address,
    dport: ports.length === 1 && ports[0]![0] === ports[0]![1] ? ports[0]![0] : null,
    proto: proto.success ? proto.data : 'tcp',
  };
}

function branchView(b: Branch, index: RulesetIndex, ctx: NatPageContext): NatBranch {
  const rule = (r: RuleRef): NatRule => ({ ...r, tableKey: tableKey(index, r) });
  return {
    when: b.when,
    endpoints: b.endpoints.map((e) => ({
      kind: e.kind,
      to: e.to,
      address: e.address,
      port: e.port,
      share: share(e.probability),
      chosenBy: e.chosenBy,
      owner: e.address ? (ctx.owners.get(e.address) ?? null) : null,
      rule: rule(e.rule),
    })),
    outcomes: b.outcomes.map((o) => ({
      kind: o.kind,
      share: share(o.probability),
      detail: o.detail,
      rule: o.rule ? rule(o.rule) : null,
    })),
    why: b.why,
    affinity: b.affinity ? { seconds: b.affinity.seconds } : null,
  };
}

function flowView(f: DnatFlow, index: RulesetIndex, ctx: NatPageContext): NatDnatFlow {
  return {
    id: f.id,
    kind: kindOf(f),
    label: catchLabel(f.catch),
    catchText: catchText(f.catch),
    service: serviceOf(f),
    owner: ownerText(f.owner),
    entry: { ...f.entry, tableKey: tableKey(index, f.entry) },
    element: f.element,
    branches: f.branches.map((b) => branchView(b, index, ctx)),
    uncertain: uncertainties(f),
    notes: f.notes,
    trace: traceLink(f, ctx.trace),
  };
}

/** One page of the flows matching `q.q` (every word must match), and the host's egress. */
export function natPage(nat: NatIndex, index: RulesetIndex, q: NatQuery, ctx: NatPageContext): NatPage {
  const words = wordsOf(q.q);
  const matched: number[] = [];
  nat.keys.forEach((k, i) => {
    if (words.every((w) => wordMatches(k, w))) matched.push(i);
  });
  const pages = Math.ceil(matched.length / q.pageSize);
  const page = Math.min(q.page, Math.max(1, pages));
  const shown = matched.slice((page - 1) * q.pageSize, page * q.pageSize);
  return {
    subject: ctx.subject,
    summary: nat.summary,
    q: q.q.trim(),
    page,
    pageSize: q.pageSize,
    pages,
    matched: matched.length,
    dnat: shown.map((i) => flowView(nat.flows[i]!, index, ctx)),
    egress: nat.egress,
    egressTotal: nat.egressTotal,
    pods: ctx.pods,
  };
}

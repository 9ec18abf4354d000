import type { IptablesDump, IptChain, IptRule, IptTable } from '../model/iptables';
import type { Atom } from './atoms';
import { atomsCover } from './atoms';
import type { EndpointTarget } from './flow-eval';
import { flowBranches, ShareValues } from './flow-eval';
import type { DnatFlow, FlowOwner, FlowPath, KubeServiceKind } from './flow-model';
import { catchOf, noEndpointsBranch } from './flow-model';
import { IptEval, type IptEvalChain, type IptEvalRule } from './ipt-eval';
import { iptRuleSelects } from './ipt-atoms';
import { iptRuleComment, iptTargetEffect } from './ipt-index';
import { commonAtoms, iptRoots } from './ipt-paths';
import { kubeCommentParse, kubeIptChainParse, type KubeComment } from './kube-proxy-names';
import type { RuleRef } from './rule-ref';
import { ruleRefLabel } from './rule-ref';

/**
 * DNAT flows of an iptables dump (either family, either backend). A flow is found at its entry:
 * walking from nat PREROUTING and OUTPUT (and from chains nothing jumps to) towards every DNAT and
 * REDIRECT, the entry is the deepest rule on the way that names a destination (address, port or
 * address type): KUBE-SERVICES' `-d VIP --dport` rule for a kube-proxy service, the DNAT rule itself
 * for a Docker or CNI host port. From the entry down, flow-eval.ts gives each endpoint its share.
 */

const DNAT_HOOKS = ['PREROUTING', 'OUTPUT'];

function isDnat(rule: IptRule): boolean {
  const t = rule.target;
  return t !== null && 'options' in t && (t.name === 'DNAT' || t.name === 'REDIRECT');
}

interface ChainEntries {
  /** Entries at or below this chain, with the rules leading to each from this chain. */
  entries: { entry: IptEvalRule; path: IptEvalRule[] }[];
  /** Some rule of this chain leads to a DNAT without naming a destination on the way. */
  unselected: boolean;
}

// Most chains of a large node hold no entry: they share these instead of allocating their own.
const NOTHING: ChainEntries = Object.freeze({ entries: [], unselected: false });
const UNSELECTED: ChainEntries = Object.freeze({ entries: [], unselected: true });
const IN_PROGRESS: ChainEntries = Object.freeze({ entries: [], unselected: false });

/** `x` and then `xs`, in an array of its own of exactly that length. */
function prepended<T>(x: T, xs: readonly T[]): T[] {
  const out = new Array<T>(xs.length + 1);
  out[0] = x;
  for (let i = 0; i < xs.length; i++) out[i + 1] = xs[i]!;
  return out;
}

function entriesFinder(ev: IptEval) {
  // By chain id: an array lookup where a 10,000-service node asks a hundred thousand times.
  const memo = new Array<ChainEntries | undefined>(ev.table.chains.length);
  return function entriesOf(chain: IptEvalChain): ChainEntries {
    const known = memo[chain.id];
    if (known) return known;
    // The kernel refuses loops; the marker only keeps a malformed dump from recursing forever.
    memo[chain.id] = IN_PROGRESS;
    let entries: ChainEntries['entries'] | null = null;
    let unselected = false;
    // Raw rules and their targets: an IptEvalRule only for the rules on a way to an entry.
    const rules = chain.chain.rules;
    const targets = chain.targets;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      let reaches = false;
      if (isDnat(rule)) reaches = true;
      else {
        const target = targets[i]!;
        if (!target) continue;
        const sub = entriesOf(target);
        if (sub.entries.length) {
          const r = chain.rules[i]!;
          entries ??= [];
          for (const e of sub.entries) entries.push({ entry: e.entry, path: prepended(r, e.path) });
        }
        reaches = sub.unselected;
      }
      if (!reaches) continue;
      if (iptRuleSelects(rule)) {
        const r = chain.rules[i]!;
        (entries ??= []).push({ entry: r, path: [r] });
      } else unselected = true;
    }
    const result = entries ? { entries, unselected } : unselected ? UNSELECTED : NOTHING;
    memo[chain.id] = result;
    return result;
  };
}

/** Rules of a starting chain that lead to a DNAT with no rule on the way naming a destination. */
function unselectedIn(chain: IptEvalChain, entriesOf: (c: IptEvalChain) => ChainEntries): IptEvalRule[] {
  const out: IptEvalRule[] = [];
  for (const r of chain.rules) {
    const reaches = isDnat(r.rule) || (r.target !== null && entriesOf(r.target).unselected);
    if (reaches && !iptRuleSelects(r.rule)) out.push(r);
  }
  return out;
}

function sameAtoms(a: readonly Atom[], b: readonly Atom[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Conditions a flow's rules may take for granted on a way in: all but shares, rule by rule. */
function guaranteed(path: readonly IptEvalRule[]): Atom[] {
  const out: Atom[] = [];
  for (let i = 0; i < path.length; i++) {
    const atoms = path[i]!.atoms;
    for (let j = 0; j < atoms.length; j++) if (atoms[j]!.kind !== 'chance') out.push(atoms[j]!);
  }
  return out;
}

interface FoundEntry {
  entry: IptEvalRule;
  paths: { start: string; builtin: boolean; path: IptEvalRule[] }[];
}

/** Entries in discovery order, each with every path that reaches it. */
function findEntries(ev: IptEval): FoundEntry[] {
  const entriesOf = entriesFinder(ev);
  const found = new Map<IptRule, FoundEntry>();
  const add = (entry: IptEvalRule, start: string, builtin: boolean, path: IptEvalRule[]) => {
    let f = found.get(entry.rule);
    if (!f) found.set(entry.rule, (f = { entry, paths: [] }));
    f.paths.push({ start, builtin, path });
  };
  for (const root of iptRoots(ev, DNAT_HOOKS)) {
    const chain = ev.chain(root.chain);
    const r = entriesOf(chain);
    for (const e of r.entries) add(e.entry, chain.name, root.builtin, e.path);
    // Nothing on the way names a destination: the rule in the starting chain is the entry.
    if (r.unselected)
      for (const loc of unselectedIn(chain, entriesOf)) add(loc, chain.name, root.builtin, [loc]);
  }
  return [...found.values()];
}

/** A rule's conditions but its shares, as text: rules with the same key take the same traffic. */
function selectorKey(r: IptEvalRule): string {
  let key = '';
  for (const a of r.atoms) if (a.kind !== 'chance') key += `${a.text}\u0000`;
  return key;
}

/** Rules right after the entry in its chain that take the same traffic (a cascade written inline). */
function entryGroup(f: FoundEntry, taken: Set<IptRule>): IptEvalRule[] {
  const group = [f.entry];
  const rules = f.entry.owner.rules;
  const next = rules[f.entry.rule.index];
  // Most entries are alone: only a next rule with a share can belong to a cascade.
  if (!next || !next.atoms.some((a) => a.kind === 'chance')) return group;
  const k = selectorKey(f.entry);
  for (let i = f.entry.rule.index; i < rules.length; i++) {
    const r = rules[i]!;
    if (selectorKey(r) !== k || iptTargetEffect(r.rule) === 'continue') break;
    group.push(r);
    taken.add(r.rule);
  }
  return group;
}

/**
 * kube-proxy's per-service chains below the entry (KUBE-FW, KUBE-EXT, KUBE-SVC, KUBE-SVL, KUBE-XLB),
 * breadth first; endpoint chains (KUBE-SEP) are not needed to name the flow's owner.
 */
const KUBE_SERVICE_CHAIN = /^KUBE-(FW|EXT|SVC|SVL|XLB)-/;

function kubeChainsBelow(from: IptEvalRule): IptChain[] {
  const out: IptChain[] = [];
  const queue = from.target ? [from.target] : [];
  const seen = new Set<IptEvalChain>(queue);
  for (let i = 0; i < queue.length && out.length < 16; i++) {
    const c = queue[i]!;
    out.push(c.chain);
    for (const r of c.rules) {
      const t = r.target;
      if (t && KUBE_SERVICE_CHAIN.test(t.name) && !seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return out;
}

const KUBE_ENTRY_CHAINS = new Set(['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES']);

function kubeOwner(f: FoundEntry): FlowOwner | null {
  const entry = f.entry.rule;
  const chainName = f.entry.chain.name;
  const target = f.entry.target;
  const targetKind = target ? kubeIptChainParse(target.name)?.kind : undefined;
  if (!KUBE_ENTRY_CHAINS.has(chainName) && !targetKind) return null;
  const below = kubeChainsBelow(f.entry);
  const comment = iptRuleComment(entry);
  const parsed: KubeComment | null = comment ? kubeCommentParse(comment) : null;
  let kind: KubeServiceKind;
  if (chainName === 'KUBE-NODEPORTS') kind = 'NodePort';
  else if (parsed?.role === 'cluster-ip') kind = 'ClusterIP';
  else if (parsed?.role === 'external-ip') kind = 'ExternalIP';
  else if (parsed?.role === 'load-balancer-ip') kind = 'LoadBalancer';
  else if (targetKind === 'FW') kind = 'LoadBalancer';
  else if (targetKind === 'EXT' || targetKind === 'XLB') kind = 'External';
  else kind = 'ClusterIP';
  let service = parsed?.service ?? null;
  // The service chain's rules name the service too (`ns/svc:p80 -> 10.0.0.1:80`), when the entry has no comment.
  for (const c of below) {
    if (service) break;
    for (const r of c.rules) {
      const p = iptRuleComment(r);
      const k = p ? kubeCommentParse(p) : null;
      if (k) {
        service = k.service;
        break;
      }
    }
  }
  const svc = below.find((c) => /^KUBE-(SVC|SVL)-/.test(c.name));
  const local =
    below.some((c) => c.name.startsWith('KUBE-SVL-') || c.name.startsWith('KUBE-XLB-')) ||
    below.some(
      (c) =>
        c.name.startsWith('KUBE-EXT-') &&
        c.rules.some((r) => /^pod traffic for /.test(iptRuleComment(r) ?? '')),
    );
  return {
    kind: 'kube-proxy',
    mode: 'iptables',
    service,
    serviceKind: kind,
    serviceChain: svc?.name ?? null,
    trafficPolicy: local ? 'Local' : 'Cluster',
    sourceRanges: below.some((c) => c.name.startsWith('KUBE-FW-')),
  };
}

function ownerOf(f: FoundEntry): FlowOwner {
  const kube = kubeOwner(f);
  if (kube) return kube;
  const chains = [...f.paths[0]!.path.map((l) => l.chain.name)];
  if (chains.includes('DOCKER')) return { kind: 'docker', chain: 'DOCKER' };
  const cni = chains.find((c) => c.startsWith('CNI-DN-') || c === 'CNI-HOSTPORT-DNAT');
  if (cni) {
    const dnatRule = f.paths[0]!.path.find((l) => l.chain.name === 'CNI-HOSTPORT-DNAT')?.rule;
    const m = /name: "([^"]*)" id: "([^"]*)"/.exec((dnatRule && iptRuleComment(dnatRule)) ?? '');
    const dn = f.paths[0]!.path.find((l) => l.chain.name.startsWith('CNI-DN-'))?.chain.name;
    return { kind: 'cni-hostport', chain: dn ?? cni, network: m?.[1] ?? null, containerId: m?.[2] ?? null };
  }
  return { kind: 'rule' };
}

/** kube-proxy's filter rules that drop or reject service traffic without (local) endpoints. */
interface KubeFilterRule {
  ref: RuleRef;
  atoms: Atom[];
  comment: KubeComment | null;
  verdict: 'drop' | 'reject';
  used: boolean;
}

const KUBE_FILTER_CHAINS = [
  'KUBE-SERVICES',
  'KUBE-EXTERNAL-SERVICES',
  'KUBE-NODEPORTS',
  'KUBE-PROXY-FIREWALL',
];

function kubeFilterRules(dump: IptablesDump): { ev: IptEval; rules: KubeFilterRule[] } | null {
  const table = dump.tables.find((t) => t.name === 'filter');
  if (!table) return null;
  const ev = new IptEval(dump, table);
  const rules: KubeFilterRule[] = [];
  for (const name of KUBE_FILTER_CHAINS) {
    const chain = ev.chainNamed(name)?.chain;
    for (const rule of chain?.rules ?? []) {
      const t = rule.target;
      if (!t || !('options' in t) || (t.name !== 'DROP' && t.name !== 'REJECT')) continue;
      const comment = iptRuleComment(rule);
      rules.push({
        ref: ev.ref(chain!, rule),
        atoms: [...ev.atoms(chain!, rule)],
        comment: comment ? kubeCommentParse(comment) : null,
        verdict: t.name === 'DROP' ? 'drop' : 'reject',
        used: false,
      });
    }
  }
  return { ev, rules };
}

function flowId(dump: IptablesDump, table: IptTable, ref: RuleRef): string {
  return `${dump.family}${dump.backend === 'legacy' ? '@legacy' : ''}/${table.name}/${ref.chain}#${ref.index}`;
}

/** Flows for kube-proxy services that have no endpoints: only kube-proxy's filter rules catch them. */
function noEndpointFlows(dump: IptablesDump, filter: { ev: IptEval; rules: KubeFilterRule[] }): DnatFlow[] {
  const out: DnatFlow[] = [];
  for (const r of filter.rules) {
    if (
      r.used ||
      !r.comment ||
      (r.comment.role !== 'no-endpoints' && r.comment.role !== 'no-local-endpoints')
    )
      continue;
    const kind: KubeServiceKind =
      r.ref.chain === 'KUBE-SERVICES'
        ? 'ClusterIP'
        : r.atoms.some((a) => a.kind === 'names' && a.dim === 'dstType')
          ? 'NodePort'
          : 'External';
    const why = `no ${r.comment.role === 'no-local-endpoints' ? 'local ' : ''}endpoints: ${r.verdict === 'drop' ? 'dropped' : 'rejected'} by ${ruleRefLabel(r.ref)}`;
    const branch = noEndpointsBranch(r.verdict, r.ref, why);
    const c = catchOf(r.atoms);
    out.push({
      id: flowId(dump, filter.ev.table, r.ref),
      entry: r.ref,
      element: null,
      catch: c,
      paths: [{ start: r.ref.chain, rules: [r.ref], catch: c }],
      owner: {
        kind: 'kube-proxy',
        mode: 'iptables',
        service: r.comment.service,
        serviceKind: kind,
        serviceChain: null,
        trafficPolicy: r.comment.role === 'no-local-endpoints' ? 'Local' : 'Cluster',
        sourceRanges: false,
      },
      branches: [branch],
      notes: [],
    });
  }
  return out;
}

/** DNAT flows of one iptables dump. */
/** DNAT flows of one iptables dump (`nat`: a walker of its nat table to share with other analyses). */
export function iptDnatFlows(dump: IptablesDump, nat?: IptEval): DnatFlow[] {
  const table = dump.tables.find((t) => t.name === 'nat');
  const filter = kubeFilterRules(dump);
  const flows: DnatFlow[] = [];
  if (table) {
    const ev = nat ?? new IptEval(dump, table);
    const taken = new Set<IptRule>();
    const values = new ShareValues();
    for (const f of findEntries(ev)) {
      if (taken.has(f.entry.rule)) continue;
      const group = entryGroup(f, taken);
      flows.push(buildFlow(ev, f, group, filter?.rules ?? [], values));
    }
  }
  if (filter) flows.push(...noEndpointFlows(dump, filter));
  return flows;
}

/** Two endpoints of a flow are one when the same rule rewrites to the same destination. */
function iptEndpointKey(e: EndpointTarget, rule: RuleRef): string {
  return `${rule.table}/${rule.chain}#${rule.index}:${e.to}`;
}

/**
 * Where packets that leave the flow's rules undecided go on (`last`: the flow's last rule). Made
 * by a function of its own rather than in buildFlow, so that no name is given to a function made
 * for each flow (tsx keeps names with a call per function made).
 */
function fallThroughOf(
  last: IptEvalRule,
  ctx: readonly Atom[],
  filterRules: KubeFilterRule[],
): (lastRef: RuleRef | null) => string {
  return (lastRef) => {
    const after = lastRef ?? last.ref;
    let detail = `not translated here: goes on after ${ruleRefLabel(after)}`;
    // kube-proxy drops or rejects what its nat rules leave (no local endpoints, source ranges) in filter.
    const drop = filterRules.find((r) =>
      atomsCover(
        r.atoms.filter((a) => a.kind !== 'unknown'),
        ctx,
      ),
    );
    if (drop) {
      drop.used = true;
      detail += `; then ${drop.verdict === 'drop' ? 'dropped' : 'rejected'} by ${ruleRefLabel(drop.ref)}: ${drop.ref.text}`;
    }
    return detail;
  };
}

function buildFlow(
  ev: IptEval,
  f: FoundEntry,
  group: IptEvalRule[],
  filterRules: KubeFilterRule[],
  values: ShareValues,
): DnatFlow {
  const pathAtoms = f.paths.map((p) => guaranteed(p.path));
  const ctx = pathAtoms.length === 1 ? pathAtoms[0]! : commonAtoms(pathAtoms);
  const flowCatch = catchOf(ctx);
  const paths: FlowPath[] = f.paths.map((p, i) => ({
    start: p.start,
    rules: p.path.map((l) => l.ref),
    catch: sameAtoms(pathAtoms[i]!, ctx) ? flowCatch : catchOf(pathAtoms[i]!),
  }));
  const entryRef = f.entry.ref;
  const owner = ownerOf(f);
  const branches = flowBranches({
    rules: group,
    ctx,
    endpointKey: iptEndpointKey,
    fallThrough: fallThroughOf(group[group.length - 1]!, ctx, filterRules),
    values,
  });
  const notes: string[] = [];
  if (f.paths.every((p) => !p.builtin))
    notes.push(
      `no built-in chain of this dump jumps to ${f.paths.map((p) => p.start).join(', ')}: the flow is read from there (a restore payload leaves those jumps out)`,
    );
  const unknown = ctx.filter((a) => a.kind === 'unknown');
  if (unknown.length)
    notes.push(
      `the way in uses conditions packetlens does not interpret (${unknown.map((a) => a.text).join('; ')}): whether they match is not decided`,
    );
  if (owner.kind === 'kube-proxy' && owner.service === null)
    notes.push(
      'no kube-proxy comments (its large cluster mode leaves them out): the service name cannot be read from the rules',
    );
  // A service's filter rule already explains these flows: it is not a flow without endpoints.
  if (owner.kind === 'kube-proxy' && owner.service)
    for (const r of filterRules)
      if (
        r.comment?.service === owner.service &&
        r.comment.role === 'no-local-endpoints' &&
        atomsCover(r.atoms, ctx)
      )
        r.used = true;
  return {
    id: flowId(ev.dump, ev.table, entryRef),
    entry: entryRef,
    element: null,
    catch: flowCatch,
    paths,
    owner,
    branches,
    notes,
  };
}

export interface EntryCost {
  /** The entry rule (as flows name it). */
  entry: RuleRef;
  /** Rules evaluated from the start of the first way in up to and including the entry. */
  rules: number;
  start: string;
}

/**
 * What reaching each DNAT entry costs a new connection: the rules evaluated on its first way in
 * (each chain is scanned from its first rule to the one that jumps on). Without the flows' shares.
 */
export function iptDnatEntryCosts(dump: IptablesDump, nat?: IptEval): EntryCost[] {
  const table = dump.tables.find((t) => t.name === 'nat');
  if (!table) return [];
  const ev = nat ?? new IptEval(dump, table);
  return findEntries(ev).map((f) => {
    const p = f.paths[0]!;
    let rules = 0;
    for (const l of p.path) rules += l.rule.index;
    return { entry: f.entry.ref, rules, start: p.start };
  });
}

import { z } from 'zod';
import type { IptablesDump } from '../model/iptables';
import { Route } from '../model/iproute';
import type { NftExpr, NftTable } from '../model/nftables';
import type { Snapshot } from '../model/snapshot';
import { nftTableRenderContext, renderNftExpr } from '../nftables/render-text';
import { chainRenames } from './chain-rename';
import { KubeService, kubeServices } from './kube-services';
import { kubeIptChainPattern, kubeNftChainPattern } from './kube-proxy-names';
import { RuleRef, iptRuleRef, nftRuleKey, nftRuleRef } from './rule-ref';
import { movedIndexes } from './sequence-moves';

/**
 * What changed between two snapshots: of one host over time, or of two hosts. Rules added, removed
 * and moved per chain (kube-proxy chains that only changed their hash-named identity are matched by
 * content and reported as renamed), nft set and map elements, kube-proxy services and their
 * endpoints, and routes. Counters never count as a change.
 */

export const ChainDiff = z.object({
  source: z.enum(['iptables', 'nftables']),
  family: z.string(),
  backend: z.enum(['nft', 'legacy', 'unknown']).nullable(),
  table: z.string(),
  /** The chain's name in B (in A for a removed chain). */
  chain: z.string(),
  /** The chain's name in A when it was renamed. */
  renamedFrom: z.string().nullable(),
  status: z.enum(['added', 'removed', 'changed']),
  /** Rules only B has (as B has them). */
  added: z.array(RuleRef),
  /** Rules only A has (as A has them). */
  removed: z.array(RuleRef),
  /** Rules both have, in another order: where B has them, and their index in A. */
  moved: z.array(z.object({ rule: RuleRef, fromIndex: z.number().int().positive() })),
});
export type ChainDiff = z.infer<typeof ChainDiff>;

export const SetDiff = z.object({
  family: z.string(),
  table: z.string(),
  set: z.string(),
  status: z.enum(['added', 'removed', 'changed']),
  /** Elements as `nft list ruleset` prints them. */
  added: z.array(z.string()),
  removed: z.array(z.string()),
});
export type SetDiff = z.infer<typeof SetDiff>;

export const ServiceChange = z.object({
  mode: z.enum(['iptables', 'nftables']),
  family: z.string(),
  /** `namespace/name:port`, or the service chain when the rules do not name it. */
  service: z.string(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
});

export const SnapshotSide = z.object({ host: z.string(), collectedAt: z.string() });

export const DiffResult = z.object({
  a: SnapshotSide,
  b: SnapshotSide,
  chains: z.array(ChainDiff),
  sets: z.array(SetDiff),
  services: z.object({
    added: z.array(KubeService),
    removed: z.array(KubeService),
    /** Services both have whose endpoints differ. */
    changed: z.array(ServiceChange),
  }),
  routes: z.object({
    added: z.array(Route),
    removed: z.array(Route),
    changed: z.array(z.object({ before: Route, after: Route })),
  }),
  summary: z.object({
    rulesAdded: z.number().int().nonnegative(),
    rulesRemoved: z.number().int().nonnegative(),
    rulesMoved: z.number().int().nonnegative(),
    chainsAdded: z.number().int().nonnegative(),
    chainsRemoved: z.number().int().nonnegative(),
    chainsRenamed: z.number().int().nonnegative(),
    servicesAdded: z.number().int().nonnegative(),
    servicesRemoved: z.number().int().nonnegative(),
    endpointsAdded: z.number().int().nonnegative(),
    endpointsRemoved: z.number().int().nonnegative(),
    routesAdded: z.number().int().nonnegative(),
    routesRemoved: z.number().int().nonnegative(),
    routesChanged: z.number().int().nonnegative(),
  }),
});
export type DiffResult = z.infer<typeof DiffResult>;

/** One chain as the diff compares it. */
interface ChainView {
  name: string;
  /** What a rule is, for comparison: iptables' rule spec, nft's statements without counters. */
  readonly keys: string[];
  ref(i: number): RuleRef;
  /** The keys with kube-proxy's hashed chain names left out. */
  signature(): string;
  /** Same keys as `other`, a chain of the same name and kind. */
  sameKeys(other: ChainView): boolean;
}

/** The same strings in the same order. */
function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface TableView {
  source: ChainDiff['source'];
  family: string;
  backend: ChainDiff['backend'];
  table: string;
  chains: Map<string, ChainView>;
}

/** `-A CHAIN spec` → ` spec`; `-I CHAIN [N] spec` too. */
function iptSpec(text: string, chain: string): string {
  if (text.startsWith(`-A ${chain}`)) return text.slice(3 + chain.length);
  return text.replace(/^-I \S+(?: \d+)?/, '');
}

// Keys made only for chains that differ: most chains of two snapshots of a node are the same.
class IptChainView implements ChainView {
  private keysMemo: string[] | undefined;
  constructor(
    private readonly dump: IptablesDump,
    private readonly table: IptablesDump['tables'][number],
    readonly chain: IptablesDump['tables'][number]['chains'][number],
  ) {}
  get name(): string {
    return this.chain.name;
  }
  get keys(): string[] {
    return (this.keysMemo ??= this.chain.rules.map((r) => iptSpec(r.text, this.chain.name)));
  }
  sameKeys(other: ChainView): boolean {
    if (!(other instanceof IptChainView)) return sameStrings(this.keys, other.keys);
    const a = this.chain.rules;
    const b = other.chain.rules;
    if (a.length !== b.length) return false;
    // Rules written the same in a chain of the same name have the same spec.
    for (let i = 0; i < a.length; i++)
      if (a[i]!.text !== b[i]!.text && iptSpec(a[i]!.text, this.name) !== iptSpec(b[i]!.text, other.name))
        return false;
    return true;
  }
  ref(i: number): RuleRef {
    return iptRuleRef(this.dump, this.table, this.chain, this.chain.rules[i]!);
  }
  signature(): string {
    return kubeIptChainPattern(this.keys.join('\n'));
  }
}

/** A rule's statements as JSON with counter values left out. */
class NftChainView implements ChainView {
  private keysMemo: string[] | undefined;
  constructor(
    private readonly table: NftTable,
    private readonly chain: NftTable['chains'][number],
  ) {}
  get name(): string {
    return this.chain.name;
  }
  get keys(): string[] {
    return (this.keysMemo ??= this.chain.rules.map(nftRuleKey));
  }
  sameKeys(other: ChainView): boolean {
    return sameStrings(this.keys, other.keys);
  }
  ref(i: number): RuleRef {
    return nftRuleRef(this.table, this.chain, this.chain.rules[i]!);
  }
  signature(): string {
    return kubeNftChainPattern(this.keys.join('\n'));
  }
}

/** The snapshot's tables by what makes two snapshots' tables the same one (legacy apart only beside nft). */
function tableViews(s: Snapshot): Map<string, TableView> {
  const out = new Map<string, TableView>();
  const dumps = s.netfilter.iptables;
  for (const dump of dumps) {
    const legacy = dump.backend === 'legacy' && dumps.some((d) => d !== dump && d.family === dump.family);
    for (const table of dump.tables)
      out.set(`iptables ${dump.family}${legacy ? '@legacy' : ''} ${table.name}`, {
        source: 'iptables',
        family: dump.family,
        backend: dump.backend,
        table: table.name,
        chains: new Map(table.chains.map((c) => [c.name, new IptChainView(dump, table, c)])),
      });
  }
  for (const table of s.netfilter.nftables?.tables ?? [])
    if (table.managedBy === null)
      out.set(`nftables ${table.family} ${table.name}`, {
        source: 'nftables',
        family: table.family,
        backend: null,
        table: table.name,
        chains: new Map(table.chains.map((c) => [c.name, new NftChainView(table, c)])),
      });
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rules added, removed and moved between two versions of a chain. */
function chainChanges(a: ChainView, b: ChainView, rename: ((key: string) => string) | null) {
  const aKeys = rename ? a.keys.map(rename) : a.keys;
  const positions = new Map<string, number[]>();
  b.keys.forEach((k, i) => {
    const list = positions.get(k);
    if (list) list.push(i);
    else positions.set(k, [i]);
  });
  const removed: number[] = [];
  const kept: { from: number; to: number }[] = [];
  const used = new Map<string, number>();
  aKeys.forEach((k, i) => {
    const list = positions.get(k);
    const n = used.get(k) ?? 0;
    if (list && n < list.length) {
      kept.push({ from: i, to: list[n]! });
      used.set(k, n + 1);
    } else removed.push(i);
  });
  const matchedB = new Set(kept.map((p) => p.to));
  const added = b.keys.map((_, i) => i).filter((i) => !matchedB.has(i));
  const moved = [...movedIndexes(kept.map((p) => p.to))].map((i) => kept[i]!);
  return {
    added: added.map((i) => b.ref(i)),
    removed: removed.map((i) => a.ref(i)),
    moved: moved.map((p) => ({ rule: b.ref(p.to), fromIndex: p.from + 1 })),
  };
}

function diffTables(a: TableView | undefined, b: TableView | undefined, out: DiffResult): void {
  const t = (b ?? a)!;
  const base = { source: t.source, family: t.family, backend: t.backend, table: t.table };
  const aChains = a?.chains ?? new Map<string, ChainView>();
  const bChains = b?.chains ?? new Map<string, ChainView>();
  const onlyA = [...aChains.values()].filter((c) => !bChains.has(c.name));
  const onlyB = [...bChains.values()].filter((c) => !aChains.has(c.name));
  const renames =
    onlyA.length && onlyB.length
      ? chainRenames(
          onlyA.map((c) => ({ name: c.name, signature: c.signature() })),
          onlyB.map((c) => ({ name: c.name, signature: c.signature() })),
        )
      : new Map<string, string>();
  // With renamed chains, A's rules that jump to them are compared under the new names.
  let rename: ((key: string) => string) | null = null;
  if (renames.size) {
    const re = new RegExp(`(?<![\\w-])(${[...renames.keys()].map(escapeRe).join('|')})(?![\\w-])`, 'g');
    rename = (key) => key.replace(re, (m) => renames.get(m)!);
  }
  const renamedTo = new Set(renames.values());
  for (const c of onlyA)
    if (!renames.has(c.name))
      out.chains.push({
        ...base,
        chain: c.name,
        renamedFrom: null,
        status: 'removed',
        added: [],
        removed: c.keys.map((_, i) => c.ref(i)),
        moved: [],
      });
  for (const c of onlyB)
    if (!renamedTo.has(c.name))
      out.chains.push({
        ...base,
        chain: c.name,
        renamedFrom: null,
        status: 'added',
        added: c.keys.map((_, i) => c.ref(i)),
        removed: [],
        moved: [],
      });
  const pairs: [ChainView, ChainView, string | null][] = [];
  for (const c of bChains.values()) {
    const same = aChains.get(c.name);
    if (same) pairs.push([same, c, null]);
  }
  for (const [from, to] of renames) pairs.push([aChains.get(from)!, bChains.get(to)!, from]);
  for (const [ca, cb, renamedFrom] of pairs) {
    if (!rename && !renamedFrom && ca.sameKeys(cb)) continue;
    const changes = chainChanges(ca, cb, rename);
    if (!renamedFrom && !changes.added.length && !changes.removed.length && !changes.moved.length) continue;
    out.chains.push({ ...base, chain: cb.name, renamedFrom, status: 'changed', ...changes });
  }
}

function elementKey(e: NftExpr): string {
  return JSON.stringify(e, (k, v: unknown) => (k === 'counter' || k === 'expires' ? undefined : v));
}

function diffSets(a: Snapshot, b: Snapshot, out: DiffResult): void {
  const tablesOf = (s: Snapshot) =>
    new Map(
      (s.netfilter.nftables?.tables ?? [])
        .filter((t) => t.managedBy === null)
        .map((t) => [`${t.family} ${t.name}`, t] as const),
    );
  const ta = tablesOf(a);
  const tb = tablesOf(b);
  for (const key of new Set([...ta.keys(), ...tb.keys()])) {
    const x = ta.get(key);
    const y = tb.get(key);
    const setsX = new Map((x?.sets ?? []).map((s) => [s.name, s]));
    const setsY = new Map((y?.sets ?? []).map((s) => [s.name, s]));
    for (const name of new Set([...setsX.keys(), ...setsY.keys()])) {
      const sx = setsX.get(name);
      const sy = setsY.get(name);
      const elems = (t: NftTable | undefined, els: readonly NftExpr[] | undefined) =>
        new Map((els ?? []).map((e) => [elementKey(e), renderNftExpr(e, t ? nftTableRenderContext(t) : {})]));
      const ex = elems(x, sx?.elements);
      const ey = elems(y, sy?.elements);
      const added = [...ey].filter(([k]) => !ex.has(k)).map(([, text]) => text);
      const removed = [...ex].filter(([k]) => !ey.has(k)).map(([, text]) => text);
      if (sx && sy && !added.length && !removed.length) continue;
      const t = (y ?? x)!;
      out.sets.push({
        family: t.family,
        table: t.name,
        set: name,
        status: !sx ? 'added' : !sy ? 'removed' : 'changed',
        added,
        removed,
      });
    }
  }
}

function serviceKey(s: KubeService): string {
  return `${s.mode} ${s.family} ${s.service ?? s.chain} ${s.chain?.replace(/-.*$/, '') ?? ''}`;
}

function diffServices(a: Snapshot, b: Snapshot, out: DiffResult): void {
  const sa = new Map(kubeServices(a).map((s) => [serviceKey(s), s]));
  const sb = new Map(kubeServices(b).map((s) => [serviceKey(s), s]));
  for (const [k, s] of sb) {
    const before = sa.get(k);
    if (!before) {
      out.services.added.push(s);
      continue;
    }
    // Most services keep their endpoints in their order: one pass tells.
    if (sameStrings(s.endpoints, before.endpoints)) continue;
    const added = s.endpoints.filter((e) => !before.endpoints.includes(e));
    const removed = before.endpoints.filter((e) => !s.endpoints.includes(e));
    if (added.length || removed.length)
      out.services.changed.push({
        mode: s.mode,
        family: s.family,
        service: s.service ?? s.chain ?? '',
        added,
        removed,
      });
  }
  for (const [k, s] of sa) if (!sb.has(k)) out.services.removed.push(s);
}

function routeKey(r: Route): string {
  return `${r.family} ${r.table} ${r.type} ${r.dst} ${r.src ?? ''} ${r.metric ?? 0}`;
}

function diffRoutes(a: Snapshot, b: Snapshot, out: DiffResult): void {
  const ra = new Map(a.routes.map((r) => [routeKey(r), r]));
  const rb = new Map(b.routes.map((r) => [routeKey(r), r]));
  for (const [k, r] of rb) {
    const before = ra.get(k);
    if (!before) out.routes.added.push(r);
    else if (JSON.stringify(before) !== JSON.stringify(r)) out.routes.changed.push({ before, after: r });
  }
  for (const [k, r] of ra) if (!rb.has(k)) out.routes.removed.push(r);
}

export function snapshotDiff(a: Snapshot, b: Snapshot): DiffResult {
  const out: DiffResult = {
    a: { host: a.host.name, collectedAt: a.host.collectedAt },
    b: { host: b.host.name, collectedAt: b.host.collectedAt },
    chains: [],
    sets: [],
    services: { added: [], removed: [], changed: [] },
    routes: { added: [], removed: [], changed: [] },
    summary: {
      rulesAdded: 0,
      rulesRemoved: 0,
      rulesMoved: 0,
      chainsAdded: 0,
      chainsRemoved: 0,
      chainsRenamed: 0,
      servicesAdded: 0,
      servicesRemoved: 0,
      endpointsAdded: 0,
      endpointsRemoved: 0,
      routesAdded: 0,
      routesRemoved: 0,
      routesChanged: 0,
    },
  };
  const va = tableViews(a);
  const vb = tableViews(b);
  for (const key of new Set([...va.keys(), ...vb.keys()])) diffTables(va.get(key), vb.get(key), out);
  diffSets(a, b, out);
  diffServices(a, b, out);
  diffRoutes(a, b, out);
  const s = out.summary;
  for (const c of out.chains) {
    s.rulesAdded += c.added.length;
    s.rulesRemoved += c.removed.length;
    s.rulesMoved += c.moved.length;
    if (c.status === 'added') s.chainsAdded++;
    if (c.status === 'removed') s.chainsRemoved++;
    if (c.renamedFrom) s.chainsRenamed++;
  }
  s.servicesAdded = out.services.added.length;
  s.servicesRemoved = out.services.removed.length;
  for (const c of out.services.changed) {
    s.endpointsAdded += c.added.length;
    s.endpointsRemoved += c.removed.length;
  }
  for (const x of out.services.added) s.endpointsAdded += x.endpoints.length;
  for (const x of out.services.removed) s.endpointsRemoved += x.endpoints.length;
  s.routesAdded = out.routes.added.length;
  s.routesRemoved = out.routes.removed.length;
  s.routesChanged = out.routes.changed.length;
  return out;
}

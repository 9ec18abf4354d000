import { z } from 'zod';
import type { ChainDiff, DiffResult } from '../analyze/diff';
import { RuleRef } from '../analyze/rule-ref';
import { routeText } from '../iproute/route-text';
import { Subject } from './host-overview';
import type { RulesetIndex } from './ruleset-index';

/**
 * The Diff view's payloads, cut from one `snapshotDiff` result: a summary with counts per table,
 * then pages: the changed chains (counts only), one chain's rules, a set's elements. Two unrelated
 * 10,000-service hosts differ by 170,000 rules, so nothing here ever lists them all at once.
 */

export const diffChainsPageSize = 50;
export const diffRulesPageSize = 100;
export const diffElementsPageSize = 100;
/** Routes listed in the summary; a router's full table differs by more than a page should hold. */
export const diffRoutesShown = 200;

export const DiffSide = z.object({
  /** What was compared: a stored snapshot (its ID), or an example (no ID). */
  subject: Subject,
  /** The side as the address writes it (`node-1@12`). */
  ref: z.string(),
  collectedAt: z.string(),
  /** The host's latest snapshot when compared. */
  latest: z.boolean(),
  example: z.boolean(),
});
export type DiffSide = z.infer<typeof DiffSide>;

const count = z.number().int().nonnegative();
const pageNumber = z.coerce.number().int().positive().default(1);
/** Where a page is among the pages of its list. */
const paged = { page: z.number().int().positive(), pages: z.number().int().nonnegative() };
/** One chain or set of the diff: its position, checked against its name. */
const itemQuery = { n: z.coerce.number().int().nonnegative(), page: pageNumber };

/** What changed in rules and chains, of a table or of the whole diff. */
const ruleCounts = {
  rulesAdded: count,
  rulesRemoved: count,
  rulesMoved: count,
  chainsAdded: count,
  chainsRemoved: count,
  chainsRenamed: count,
  chainsChanged: count,
};

export const DiffTableTotals = z.object({
  /** `ipt:ip/nat`, `ipt:ip/filter@legacy`, `nft:inet/kube-proxy`: the table's identity in the diff. */
  id: z.string(),
  label: z.string(),
  ...ruleCounts,
});
export type DiffTableTotals = z.infer<typeof DiffTableTotals>;

/** An item of the diff (a chain, a set): its position for asking for its page, and its counts. */
const item = {
  n: z.number().int().nonnegative(),
  status: z.enum(['added', 'removed', 'changed']),
  added: count,
  removed: count,
};

export const DiffChainEntry = z.object({
  ...item,
  table: z.string(),
  tableLabel: z.string(),
  chain: z.string(),
  /** The chain's name in A when kube-proxy gave it a new hashed name (same rules). */
  renamedFrom: z.string().nullable(),
  moved: count,
  /** The table's key in each side's chains view; null when that side has no such table. */
  keyA: z.string().nullable(),
  keyB: z.string().nullable(),
});
export type DiffChainEntry = z.infer<typeof DiffChainEntry>;

export const DiffSetEntry = z.object({ ...item, family: z.string(), table: z.string(), set: z.string() });
export type DiffSetEntry = z.infer<typeof DiffSetEntry>;

export const DiffLine = z.object({
  sign: z.enum(['+', '-', '~']),
  text: z.string(),
  /** For a changed route: what it was. */
  before: z.string().nullable(),
});
export type DiffLine = z.infer<typeof DiffLine>;

export const DiffSummary = z.object({
  a: DiffSide,
  b: DiffSide,
  /** Nothing differs: rules, chains, sets, services and routes are the same (counters aside). */
  identical: z.boolean(),
  totals: z.object({
    ...ruleCounts,
    servicesAdded: count,
    servicesRemoved: count,
    servicesChanged: count,
    endpointsAdded: count,
    endpointsRemoved: count,
    setsChanged: count,
    routesAdded: count,
    routesRemoved: count,
    routesChanged: count,
  }),
  tables: z.array(DiffTableTotals),
  sets: z.array(DiffSetEntry),
  /** The first `diffRoutesShown` route changes: removed, added, then changed. */
  routes: z.array(DiffLine),
});
export type DiffSummary = z.infer<typeof DiffSummary>;

export const DiffChainQuery = z.object({
  page: pageNumber,
  /** A table's id, or empty for all. */
  table: z.string().max(300).default(''),
  /** Chains whose name (or former name) holds this text. */
  q: z.string().max(200).default(''),
});

export const DiffChainPage = z.object({
  ...paged,
  total: count,
  chains: z.array(DiffChainEntry),
});
export type DiffChainPage = z.infer<typeof DiffChainPage>;

export const DiffRuleRow = z.object({
  /** `-`: only A has it (A's position); `+`: only B (B's position); `~`: both, moved (B's, from A's). */
  sign: z.enum(['+', '-', '~']),
  rule: RuleRef,
  fromIndex: z.number().int().positive().nullable(),
});
export type DiffRuleRow = z.infer<typeof DiffRuleRow>;

export const DiffRuleQuery = z.object({
  ...itemQuery,
  /** The chain's name: a check that `n` still means the chain the page asks about. */
  chain: z.string().max(500),
});

export const DiffRulePage = z.object({ chain: DiffChainEntry, ...paged, rows: z.array(DiffRuleRow) });
export type DiffRulePage = z.infer<typeof DiffRulePage>;

export const DiffSetQuery = z.object({ ...itemQuery, set: z.string().max(300) });

export const DiffSetPage = z.object({ set: DiffSetEntry, ...paged, rows: z.array(DiffLine) });
export type DiffSetPage = z.infer<typeof DiffSetPage>;

/** A diff with its chains in the order the view lists them, kept per pair of snapshots. */
export interface PreparedDiff {
  result: DiffResult;
  chains: DiffChainEntry[];
  tables: DiffTableTotals[];
}

function tableId(c: Pick<ChainDiff, 'source' | 'family' | 'backend' | 'table'>): string {
  return c.source === 'nftables'
    ? `nft:${c.family}/${c.table}`
    : `ipt:${c.family}/${c.table}${c.backend === 'legacy' ? '@legacy' : ''}`;
}

function tableLabel(c: Pick<ChainDiff, 'source' | 'family' | 'backend' | 'table'>): string {
  return c.source === 'nftables'
    ? `nft ${c.family} ${c.table}`
    : `${c.family === 'ip6' ? 'ip6tables' : 'iptables'} ${c.table}${c.backend === 'legacy' ? ' (legacy)' : ''}`;
}

/** The key of the chain's table in one side's chains view, when that side has the table. */
function sideTableKey(index: RulesetIndex, c: ChainDiff): string | null {
  const t = index.tables.find(
    (t) =>
      t.family === c.family &&
      t.name === c.table &&
      (c.source === 'nftables' ? t.engine === 'nft' : t.engine === 'iptables' && t.backend === c.backend),
  );
  return t?.key ?? null;
}

const statusOrder = { changed: 0, added: 1, removed: 2 } as const;

export function diffPrepare(result: DiffResult, indexA: RulesetIndex, indexB: RulesetIndex): PreparedDiff {
  const chains = result.chains.map((c, n): DiffChainEntry => ({
    n,
    table: tableId(c),
    tableLabel: tableLabel(c),
    chain: c.chain,
    renamedFrom: c.renamedFrom,
    status: c.status,
    added: c.added.length,
    removed: c.removed.length,
    moved: c.moved.length,
    keyA: c.status === 'added' ? null : sideTableKey(indexA, c),
    keyB: c.status === 'removed' ? null : sideTableKey(indexB, c),
  }));
  const tables = new Map<string, DiffTableTotals>();
  for (const c of chains) {
    let t = tables.get(c.table);
    if (!t)
      tables.set(
        c.table,
        (t = {
          id: c.table,
          label: c.tableLabel,
          rulesAdded: 0,
          rulesRemoved: 0,
          rulesMoved: 0,
          chainsAdded: 0,
          chainsRemoved: 0,
          chainsRenamed: 0,
          chainsChanged: 0,
        }),
      );
    t.rulesAdded += c.added;
    t.rulesRemoved += c.removed;
    t.rulesMoved += c.moved;
    if (c.status === 'added') t.chainsAdded++;
    else if (c.status === 'removed') t.chainsRemoved++;
    else if (c.renamedFrom) t.chainsRenamed++;
    else t.chainsChanged++;
  }
  // Changed chains first (the edits), then whole chains added and removed; by name within each.
  const tableOrder = [...tables.keys()];
  chains.sort(
    (x, y) =>
      tableOrder.indexOf(x.table) - tableOrder.indexOf(y.table) ||
      statusOrder[x.status] - statusOrder[y.status] ||
      (x.chain < y.chain ? -1 : x.chain > y.chain ? 1 : 0),
  );
  return { result, chains, tables: [...tables.values()] };
}

function setEntry(s: DiffResult['sets'][number], n: number): DiffSetEntry {
  const { family, table, set, status } = s;
  return { n, family, table, set, status, added: s.added.length, removed: s.removed.length };
}

export function diffSummary(p: PreparedDiff, a: DiffSide, b: DiffSide): DiffSummary {
  const d = p.result;
  const s = d.summary;
  const routes: DiffLine[] = [
    ...d.routes.removed.map((r) => ({ sign: '-' as const, text: routeText(r), before: null })),
    ...d.routes.added.map((r) => ({ sign: '+' as const, text: routeText(r), before: null })),
    ...d.routes.changed.map((c) => ({
      sign: '~' as const,
      text: routeText(c.after),
      before: routeText(c.before),
    })),
  ].slice(0, diffRoutesShown);
  const servicesChanged = d.services.changed.length;
  return {
    a,
    b,
    identical:
      d.chains.length === 0 &&
      d.sets.length === 0 &&
      s.servicesAdded + s.servicesRemoved + servicesChanged === 0 &&
      s.routesAdded + s.routesRemoved + s.routesChanged === 0,
    totals: {
      rulesAdded: s.rulesAdded,
      rulesRemoved: s.rulesRemoved,
      rulesMoved: s.rulesMoved,
      chainsAdded: s.chainsAdded,
      chainsRemoved: s.chainsRemoved,
      chainsRenamed: s.chainsRenamed,
      chainsChanged: p.chains.filter((c) => c.status === 'changed' && !c.renamedFrom).length,
      servicesAdded: s.servicesAdded,
      servicesRemoved: s.servicesRemoved,
      servicesChanged,
      endpointsAdded: s.endpointsAdded,
      endpointsRemoved: s.endpointsRemoved,
      setsChanged: d.sets.length,
      routesAdded: s.routesAdded,
      routesRemoved: s.routesRemoved,
      routesChanged: s.routesChanged,
    },
    tables: p.tables,
    sets: d.sets.map(setEntry),
    routes,
  };
}

/** One page of `items`, and how many pages they make. */
export function pageOf<T>(items: readonly T[], page: number, size: number): { pages: number; items: T[] } {
  return { pages: Math.ceil(items.length / size), items: items.slice((page - 1) * size, page * size) };
}

export function diffChainPage(p: PreparedDiff, q: z.output<typeof DiffChainQuery>): DiffChainPage {
  const needle = q.q.trim().toLowerCase();
  const matching = p.chains.filter(
    (c) =>
      (!q.table || c.table === q.table) &&
      (!needle ||
        c.chain.toLowerCase().includes(needle) ||
        (c.renamedFrom?.toLowerCase().includes(needle) ?? false)),
  );
  const { pages, items } = pageOf(matching, q.page, diffChainsPageSize);
  return { page: q.page, pages, total: matching.length, chains: items };
}

/** One chain's rules: removed ones (as A had them), added ones (as B has them), then moved ones. */
export function diffRulePage(p: PreparedDiff, q: z.output<typeof DiffRuleQuery>): DiffRulePage | null {
  const c = p.result.chains[q.n];
  const entry = p.chains.find((e) => e.n === q.n);
  if (!c || !entry || c.chain !== q.chain) return null;
  const rows: DiffRuleRow[] = [
    ...c.removed.map((rule) => ({ sign: '-' as const, rule, fromIndex: null })),
    ...c.added.map((rule) => ({ sign: '+' as const, rule, fromIndex: null })),
    ...c.moved.map((m) => ({ sign: '~' as const, rule: m.rule, fromIndex: m.fromIndex })),
  ];
  const { pages, items } = pageOf(rows, q.page, diffRulesPageSize);
  return { chain: entry, page: q.page, pages, rows: items };
}

export function diffSetPage(p: PreparedDiff, q: z.output<typeof DiffSetQuery>): DiffSetPage | null {
  const s = p.result.sets[q.n];
  if (!s || s.set !== q.set) return null;
  const rows: DiffLine[] = [
    ...s.removed.map((text) => ({ sign: '-' as const, text, before: null })),
    ...s.added.map((text) => ({ sign: '+' as const, text, before: null })),
  ];
  const { pages, items } = pageOf(rows, q.page, diffElementsPageSize);
  return { set: setEntry(s, q.n), page: q.page, pages, rows: items };
}

/** How many rule references a diff holds: the cache's measure of its size. */
export function diffWeight(d: DiffResult): number {
  let n = 1;
  for (const c of d.chains) n += c.added.length + c.removed.length + c.moved.length;
  for (const s of d.sets) n += s.added.length + s.removed.length;
  return n;
}

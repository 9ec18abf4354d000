import { z } from 'zod';
import { chainGraph, type ChainGraph } from '../../lib/views/chain-graph';
import { chainsContext, type ChainsContext } from '../../lib/views/chains-context';
import { hostOverview, type HostOverview, type Subject } from '../../lib/views/host-overview';
import { setElementsPage, setList, type SetElementsPage, type SetList } from '../../lib/views/nft-sets';
import { chainList, rulePage, PageQuery, type ChainList, type RulePage } from '../../lib/views/rule-page';
import { ruleSearch, type SearchRequest, type SearchResult } from '../../lib/views/rule-search';
import type { IndexedTable } from '../../lib/views/ruleset-index';
import type { Dashboard } from './runtime';
import { SubjectError, subjectResolve, type ResolvedSubject } from './subjects';

/**
 * The payloads of the host pages, shared by the route handlers and the server components that
 * render the first view: each one a page or a summary, never the whole snapshot.
 */

export const GraphQuery = z.object({
  table: z.string().max(300),
  /** Comma-separated family prefixes to expand. */
  expand: z
    .string()
    .max(2000)
    .optional()
    .transform((s) => (s ? s.split(',').filter(Boolean) : [])),
  focus: z.string().max(500).optional(),
});
export type GraphQuery = z.input<typeof GraphQuery>;

export const RulesQuery = PageQuery.extend({ table: z.string().max(300), chain: z.string().max(500) });
export type RulesQuery = z.input<typeof RulesQuery>;

export const ChainsQuery = z.object({ table: z.string().max(300), q: z.string().max(200).default('') });

export const SetElementsQuery = PageQuery.extend({ table: z.string().max(300), set: z.string().max(300) });

function tableOf(r: ResolvedSubject, key: string): IndexedTable {
  const table = r.view.index.tableByKey.get(key);
  if (!table) {
    const known = r.view.index.tables.map((t) => t.key).join(', ');
    throw new SubjectError(
      404,
      `no table ${key} on ${r.subject.host}` + (known ? ` (tables: ${known})` : ''),
    );
  }
  return table;
}

export function overviewOf(d: Dashboard, subject: Subject): HostOverview {
  const r = subjectResolve(d, subject);
  return r.view.memo('overview', () =>
    hostOverview(subject, r.prepared.snapshot, r.view.snapshot, r.view.index),
  );
}

export function chainsContextOf(d: Dashboard, subject: Subject): ChainsContext {
  const r = subjectResolve(d, subject);
  return chainsContext(subject, r.prepared.snapshot, r.view.index, r.view.snapshot);
}

export function graphOf(d: Dashboard, subject: Subject, q: z.output<typeof GraphQuery>): ChainGraph {
  const r = subjectResolve(d, subject);
  return chainGraph(tableOf(r, q.table), { expand: q.expand, focus: q.focus ?? null });
}

export function rulesOf(d: Dashboard, subject: Subject, q: z.output<typeof RulesQuery>): RulePage {
  const r = subjectResolve(d, subject);
  const table = tableOf(r, q.table);
  const chain = table.chainByName.get(q.chain);
  if (!chain) throw new SubjectError(404, `no chain ${q.chain} in ${q.table} on ${subject.host}`);
  return rulePage(table, chain, q.page, q.pageSize);
}

export function chainsOf(d: Dashboard, subject: Subject, q: z.output<typeof ChainsQuery>): ChainList {
  const r = subjectResolve(d, subject);
  return chainList(tableOf(r, q.table), q.q);
}

export function searchOf(d: Dashboard, subject: Subject, q: SearchRequest): SearchResult {
  const r = subjectResolve(d, subject);
  return ruleSearch(r.view.index, r.view.search(), q);
}

export function setListOf(d: Dashboard, subject: Subject, table: string): SetList {
  return setList(tableOf(subjectResolve(d, subject), table));
}

export function setElementsOf(
  d: Dashboard,
  subject: Subject,
  q: z.output<typeof SetElementsQuery>,
): SetElementsPage {
  const table = tableOf(subjectResolve(d, subject), q.table);
  const set = table.sets.find((s) => s.name === q.set);
  if (!set) throw new SubjectError(404, `no set or map ${q.set} in ${q.table} on ${subject.host}`);
  return setElementsPage(table, set, q.page, q.pageSize);
}

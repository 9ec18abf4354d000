import { z } from 'zod';
import type { NftFamily, NftSet } from '../model/nftables';
import { nftDatatypeValueType, renderNftExpr } from '../nftables/render-text';
import type { IndexedTable } from './ruleset-index';

/** Named nft sets and maps of a table, and pages of their elements as `nft list` prints them. */

export const SetSummary = z.object({
  name: z.string(),
  /** Key datatype, e.g. `ipv4_addr . inet_proto . inet_service`. */
  type: z.string(),
  /** Data datatype of a map (`verdict`, `mark`, …); null for a plain set. */
  map: z.string().nullable(),
  flags: z.array(z.string()),
  comment: z.string().nullable(),
  elements: z.number().int().nonnegative(),
});
export type SetSummary = z.infer<typeof SetSummary>;

export const SetList = z.object({ table: z.string(), sets: z.array(SetSummary) });
export type SetList = z.infer<typeof SetList>;

export const SetElementsPage = z.object({
  table: z.string(),
  set: SetSummary,
  page: z.number().int().positive(),
  pageSize: z.number().int().positive(),
  pages: z.number().int().nonnegative(),
  elements: z.array(z.string()),
});
export type SetElementsPage = z.infer<typeof SetElementsPage>;

export function setSummary(set: NftSet): SetSummary {
  return {
    name: set.name,
    type: set.type.join(' . '),
    map: set.map,
    flags: set.flags,
    comment: set.comment,
    elements: set.elements.length,
  };
}

export function setList(table: IndexedTable): SetList {
  return { table: table.key, sets: table.sets.map(setSummary) };
}

export function setElementsPage(
  table: IndexedTable,
  set: NftSet,
  page: number,
  pageSize: number,
): SetElementsPage {
  const ctx = { family: table.family as NftFamily, sets: new Map(table.sets.map((s) => [s.name, s])) };
  const type = nftDatatypeValueType(set.type);
  const start = (page - 1) * pageSize;
  return {
    table: table.key,
    set: setSummary(set),
    page,
    pageSize,
    pages: Math.ceil(set.elements.length / pageSize),
    elements: set.elements.slice(start, start + pageSize).map((e) => renderNftExpr(e, ctx, type)),
  };
}

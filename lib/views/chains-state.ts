import type { ChainGraph } from './chain-graph';
import type { RulePage } from './rule-page';
import type { SearchResult } from './rule-search';

/** Where the chains view is: all of it lives in the address, so a link reproduces the view. */
export interface ChainsState {
  table: string;
  chain: string | null;
  page: number;
  expand: string[];
  focus: string | null;
  q: string;
  spage: number;
  /** A rule to mark (opened from a search hit). */
  rule: number | null;
}

export interface ChainsInitial {
  state: ChainsState;
  graph: ChainGraph | null;
  rules: RulePage | null;
  search: SearchResult | null;
  /** Why the first graph or rules could not be had (an unknown chain in the address, …). */
  problem: string | null;
}

const positive = (v: string | null, fallback: number) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export function chainsStateFrom(params: URLSearchParams, defaultTable: string): ChainsState {
  return {
    table: params.get('table') || defaultTable,
    chain: params.get('chain') || null,
    page: positive(params.get('page'), 1),
    expand: (params.get('expand') ?? '').split(',').filter(Boolean),
    focus: params.get('focus') || null,
    q: params.get('q') ?? '',
    spage: positive(params.get('spage'), 1),
    rule: params.get('rule') ? positive(params.get('rule'), 0) || null : null,
  };
}

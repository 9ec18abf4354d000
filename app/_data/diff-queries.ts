import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { DiffServicePage } from '@/lib/views/diff-services';
import { DiffChainPage, DiffRulePage, DiffSetPage, DiffSummary } from '@/lib/views/diff-view';
import { DiffOptions } from '@/lib/views/snapshot-versions';
import { getJson } from './api-client';

/** The Diff view's queries, keyed by the compared pair (`a`, `b` as the address writes them). */

export interface DiffPair {
  a: string;
  b: string;
}

function url(endpoint: string, pair: DiffPair, params: Record<string, string | number> = {}): string {
  const q = new URLSearchParams({ a: pair.a, b: pair.b });
  for (const [k, v] of Object.entries(params)) if (v !== '') q.set(k, String(v));
  return `/api/diff${endpoint}?${q}`;
}

export const diffQueries = {
  options: () =>
    queryOptions({
      queryKey: ['diff-options'],
      queryFn: ({ signal }) => getJson('/api/diff/options', DiffOptions, signal),
    }),
  summary: (pair: DiffPair) =>
    queryOptions({
      queryKey: ['diff', pair.a, pair.b],
      queryFn: ({ signal }) => getJson(url('', pair), DiffSummary, signal),
      retry: false,
    }),
  chains: (pair: DiffPair, table: string, q: string, page: number) =>
    queryOptions({
      queryKey: ['diff-chains', pair.a, pair.b, table, q, page],
      queryFn: ({ signal }) => getJson(url('/chains', pair, { table, q, page }), DiffChainPage, signal),
      placeholderData: keepPreviousData,
    }),
  rules: (pair: DiffPair, n: number, chain: string, page: number) =>
    queryOptions({
      queryKey: ['diff-rules', pair.a, pair.b, n, chain, page],
      queryFn: ({ signal }) => getJson(url('/rules', pair, { n, chain, page }), DiffRulePage, signal),
      placeholderData: keepPreviousData,
    }),
  set: (pair: DiffPair, n: number, set: string, page: number) =>
    queryOptions({
      queryKey: ['diff-set', pair.a, pair.b, n, set, page],
      queryFn: ({ signal }) => getJson(url('/set', pair, { n, set, page }), DiffSetPage, signal),
      placeholderData: keepPreviousData,
    }),
  services: (pair: DiffPair, q: string, page: number) =>
    queryOptions({
      queryKey: ['diff-services', pair.a, pair.b, q, page],
      queryFn: ({ signal }) => getJson(url('/services', pair, { q, page }), DiffServicePage, signal),
      placeholderData: keepPreviousData,
    }),
};

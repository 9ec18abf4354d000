import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { z } from 'zod';
import { ChainGraph } from '@/lib/views/chain-graph';
import { CollectionStatus, Fleet } from '@/lib/views/fleet';
import type { Subject } from '@/lib/views/host-overview';
import { ImportedHost } from '@/lib/views/import-payload';
import { NatPage } from '@/lib/views/nat-payload';
import { SetElementsPage, SetList } from '@/lib/views/nft-sets';
import { ChainList, RulePage } from '@/lib/views/rule-page';
import { SearchResult } from '@/lib/views/rule-search';
import { hostApi } from '@/lib/views/urls';
import { getJson } from './api-client';

/** Every query of the browser, its key beside its fetcher. */

export const queries = {
  fleet: () =>
    queryOptions({ queryKey: ['fleet'], queryFn: ({ signal }) => getJson('/api/fleet', Fleet, signal) }),
  collection: () =>
    queryOptions({
      queryKey: ['collection'],
      queryFn: ({ signal }) => getJson('/api/collect', CollectionStatus, signal),
    }),
  imports: () =>
    queryOptions({
      queryKey: ['imports'],
      queryFn: ({ signal }) => getJson('/api/import', z.array(ImportedHost), signal),
    }),
  graph: (subject: Subject, table: string, expand: readonly string[], focus: string | null) =>
    queryOptions({
      queryKey: ['graph', subject, table, [...expand].sort().join(','), focus],
      queryFn: ({ signal }) =>
        getJson(
          hostApi(subject, 'graph', { table, expand: [...expand].sort().join(','), focus }),
          ChainGraph,
          signal,
        ),
      placeholderData: keepPreviousData,
    }),
  rules: (subject: Subject, table: string, chain: string, page: number) =>
    queryOptions({
      queryKey: ['rules', subject, table, chain, page],
      queryFn: ({ signal }) => getJson(hostApi(subject, 'rules', { table, chain, page }), RulePage, signal),
      placeholderData: keepPreviousData,
    }),
  search: (subject: Subject, q: string, table: string | null, page: number) =>
    queryOptions({
      queryKey: ['search', subject, q, table, page],
      queryFn: ({ signal }) => getJson(hostApi(subject, 'search', { q, table, page }), SearchResult, signal),
      placeholderData: keepPreviousData,
    }),
  chains: (subject: Subject, table: string, q: string) =>
    queryOptions({
      queryKey: ['chains', subject, table, q],
      queryFn: ({ signal }) => getJson(hostApi(subject, 'chains', { table, q }), ChainList, signal),
      placeholderData: keepPreviousData,
    }),
  sets: (subject: Subject, table: string) =>
    queryOptions({
      queryKey: ['sets', subject, table],
      queryFn: ({ signal }) => getJson(hostApi(subject, 'sets', { table }), SetList, signal),
    }),
  setElements: (subject: Subject, table: string, set: string, page: number) =>
    queryOptions({
      queryKey: ['set-elements', subject, table, set, page],
      queryFn: ({ signal }) =>
        getJson(hostApi(subject, 'set-elements', { table, set, page }), SetElementsPage, signal),
      placeholderData: keepPreviousData,
    }),
  nat: (subject: Subject, q: string, page: number) =>
    queryOptions({
      queryKey: ['nat', subject, q, page],
      queryFn: ({ signal }) => getJson(hostApi(subject, 'nat', { q, page }), NatPage, signal),
      placeholderData: keepPreviousData,
    }),
};

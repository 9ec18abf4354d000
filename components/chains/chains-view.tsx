'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useDeferredValue, useEffect, useState, type FormEvent } from 'react';
import { queries } from '@/app/_data/queries';
import type { ChainsContext } from '@/lib/views/chains-context';
import { chainsStateFrom, type ChainsInitial, type ChainsState } from '@/lib/views/chains-state';
import { rulePageOf, rulePageSizeDefault } from '@/lib/views/rule-page';
import { countText } from '@/lib/views/format';
import { hostHref } from '@/lib/views/urls';
import { DiagramExport } from '../diagram-export';
import { testIds } from '../test-ids';
import { ChainGraphView } from './chain-graph-view';
import { ChainPicker } from './chain-picker';
import { ChainHeader, RuleTable } from './rule-table';
import { SearchResults } from './search-results';
import { SetListView } from './set-list';

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');

export function ChainsView({ context, initial }: { context: ChainsContext; initial: ChainsInitial }) {
  const subject = context.subject;
  const client = useQueryClient();
  // The server rendered the first view: its data seeds the cache, so nothing is fetched twice.
  useState(() => {
    const s = initial.state;
    if (initial.graph)
      client.setQueryData(queries.graph(subject, s.table, s.expand, s.focus).queryKey, initial.graph);
    if (initial.rules)
      client.setQueryData(
        queries.rules(subject, s.table, initial.rules.chain.name, s.page).queryKey,
        initial.rules,
      );
    if (initial.search)
      client.setQueryData(queries.search(subject, s.q, null, s.spage).queryKey, initial.search);
    return null;
  });

  const params = useSearchParams();
  const state = chainsStateFrom(new URLSearchParams(params.toString()), initial.state.table);
  const table = context.tables.find((t) => t.key === state.table) ?? null;
  const tableNames = new Map(
    context.tables.map((t) => [
      t.key,
      `${t.family} ${t.name}${t.engine === 'iptables' && t.backend === 'legacy' ? ' (legacy)' : ''}`,
    ]),
  );

  const navigate = (next: Partial<ChainsState>, mode: 'push' | 'replace' = 'push') => {
    const s = { ...state, ...next };
    const url = hostHref(subject, 'chains', {
      table: s.table,
      chain: s.chain,
      page: s.page > 1 ? s.page : null,
      expand: s.expand.join(','),
      focus: s.focus,
      q: s.q,
      spage: s.q && s.spage > 1 ? s.spage : null,
      rule: s.rule,
    });
    if (mode === 'push') window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
  };

  const graph = useQuery({
    ...queries.graph(subject, state.table, state.expand, state.focus),
    enabled: table !== null,
  });
  const defaultChain =
    graph.data?.nodes.find((n) => n.builtin && n.rules > 0)?.chain ??
    graph.data?.nodes.find((n) => n.chain)?.chain ??
    null;
  const chain = state.chain ?? (graph.data?.table === state.table ? defaultChain : null);
  const rules = useQuery({
    ...queries.rules(subject, state.table, chain ?? '', state.page),
    enabled: chain !== null && table !== null,
  });
  const search = useQuery({
    ...queries.search(subject, state.q, null, state.spage),
    enabled: state.q !== '',
  });

  const [pickerQ, setPickerQ] = useState('');
  const chains = useQuery({
    ...queries.chains(subject, state.table, useDeferredValue(pickerQ)),
    enabled: table !== null,
  });
  const [openSet, setOpenSet] = useState<string | null>(null);
  const [setPage, setSetPage] = useState(1);
  const sets = useQuery({ ...queries.sets(subject, state.table), enabled: table !== null && table.sets > 0 });
  const setElements = useQuery({
    ...queries.setElements(subject, state.table, openSet ?? '', setPage),
    enabled: openSet !== null,
  });

  // The box follows the address (back, a cleared search) but keeps what is being typed.
  const [searchText, setSearchText] = useState(state.q);
  const [searchedQ, setSearchedQ] = useState(state.q);
  if (searchedQ !== state.q) {
    setSearchedQ(state.q);
    setSearchText(state.q);
  }
  useEffect(() => {
    if (state.rule !== null && rules.data)
      document.getElementById(`rule-${state.rule}`)?.scrollIntoView({ block: 'center' });
  }, [state.rule, rules.data]);

  const follow = (target: string) => navigate({ chain: target, focus: target, page: 1, rule: null, q: '' });
  const open = (tableKey: string, name: string, index: number | null) =>
    navigate({
      table: tableKey,
      chain: name,
      focus: name,
      page: index === null ? 1 : rulePageOf(index, rulePageSizeDefault),
      rule: index,
      q: '',
      expand: tableKey === state.table ? state.expand : [],
    });
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    navigate({ q: searchText.trim(), spage: 1 });
  };

  if (context.tables.length === 0) {
    return (
      <div className="empty-state" data-testid={testIds.chainsView}>
        <h2>No rules here</h2>
        <p>
          No iptables or nftables output was collected for this namespace, so there are no chains to show.
        </p>
      </div>
    );
  }

  return (
    <div data-testid={testIds.chainsView} className="chains">
      <div className="chains__toolbar">
        <label>
          Table{' '}
          <select
            value={state.table}
            onChange={(e) =>
              navigate({ table: e.target.value, chain: null, focus: null, expand: [], page: 1, rule: null })
            }
          >
            {context.tables.map((t) => (
              <option key={t.key} value={t.key}>
                {tableNames.get(t.key)} — {t.engine === 'nft' ? 'nftables' : 'iptables'}, {countText(t.rules)}{' '}
                rules
              </option>
            ))}
          </select>
        </label>
        <form role="search" onSubmit={onSearch} className="chains__search">
          <label htmlFor="rule-search">Search rules</label>
          <input
            id="rule-search"
            type="search"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
            placeholder="10.96.0.10, 30080, chain:KUBE-SVC, comment:web"
            data-testid={testIds.ruleSearchInput}
            aria-describedby="rule-search-hint"
          />
          <button type="submit">Search</button>
          <p id="rule-search-hint" className="muted">
            An address or CIDR, a port or range, chain:NAME, comment:TEXT or any text, in every table of this
            host; all words must match.
          </p>
        </form>
      </div>

      {initial.problem && (
        <p role="alert" className="error-text">
          {initial.problem}
        </p>
      )}

      <section aria-labelledby="graph-heading" className="chains__graph">
        <h2 id="graph-heading">Jumps between chains</h2>
        {state.expand.length > 0 && (
          <p>
            Expanded:{' '}
            {state.expand.map((f) => (
              <button
                key={f}
                type="button"
                className="chip"
                onClick={() => navigate({ expand: state.expand.filter((x) => x !== f) }, 'replace')}
              >
                {f}* — fold
              </button>
            ))}
          </p>
        )}
        {graph.error ? (
          <p role="alert" className="error-text">
            The graph could not be loaded: {errorText(graph.error)}.{' '}
            <button type="button" onClick={() => graph.refetch()}>
              Try again
            </button>
          </p>
        ) : !graph.data ? (
          <p role="status">Loading the graph…</p>
        ) : (
          <>
            <ChainGraphView
              graph={graph.data}
              selected={chain}
              svgId="chain-graph"
              onSelectChain={(c) => navigate({ chain: c, page: 1, rule: null, q: '' })}
              onExpandFamily={(f) => navigate({ expand: [...state.expand, f] }, 'replace')}
            />
            <DiagramExport
              targetId="chain-graph"
              fileName={`${fileSafe(subject.pod ?? subject.host)}-${fileSafe(state.table)}-chains`}
            />
            {graph.data.missingTargets.length > 0 && (
              <p className="warning-text">
                Rules jump to chains this table does not hold: {graph.data.missingTargets.join(', ')}.
              </p>
            )}
          </>
        )}
      </section>

      <div className="chains__body">
        <aside className="chains__picker" aria-label="Chains of this table">
          <ChainPicker
            q={pickerQ}
            list={chains.data}
            selected={chain}
            onQuery={setPickerQ}
            onSelect={(c) => open(state.table, c, null)}
          />
          {chains.error && (
            <p role="alert" className="error-text">
              {errorText(chains.error)}
            </p>
          )}
        </aside>
        <div className="chains__main">
          {state.q !== '' ? (
            search.error ? (
              <p role="alert" className="error-text">
                The search failed: {errorText(search.error)}. Change the search and try again.
              </p>
            ) : !search.data ? (
              <p role="status">Searching…</p>
            ) : (
              <SearchResults
                result={search.data}
                busy={search.isPlaceholderData}
                tableNames={tableNames}
                onOpen={(t, c, i) => open(t, c, i)}
                onFollow={(t, c) => open(t, c, null)}
                onPage={(p) => navigate({ spage: p })}
                onClear={() => navigate({ q: '', spage: 1 })}
              />
            )
          ) : rules.error ? (
            <p role="alert" className="error-text">
              The rules could not be loaded: {errorText(rules.error)}. Pick a chain in the graph or the list.
            </p>
          ) : !rules.data ? (
            <p role="status">
              {chain === null ? 'Pick a chain in the graph or the list.' : 'Loading rules…'}
            </p>
          ) : (
            <section aria-label={`Rules of chain ${rules.data.chain.name}`}>
              <ChainHeader chain={rules.data.chain} onFollow={follow} />
              <RuleTable
                page={rules.data}
                highlight={state.rule}
                onFollow={follow}
                onPage={(p) => navigate({ page: p, rule: null })}
              />
            </section>
          )}
        </div>
      </div>

      {sets.data && (
        <SetListView
          list={sets.data}
          open={openSet}
          elements={setElements.data}
          elementsError={setElements.error ? errorText(setElements.error) : null}
          onOpen={(s) => {
            setOpenSet(s);
            setSetPage(1);
          }}
          onPage={setSetPage}
        />
      )}
    </div>
  );
}

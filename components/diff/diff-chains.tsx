'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { diffQueries, type DiffPair } from '@/app/_data/diff-queries';
import type { DiffChainEntry, DiffSide, DiffTableTotals } from '@/lib/views/diff-view';
import { countText, plural } from '@/lib/views/format';
import { chainHref } from '@/lib/views/urls';
import { Pager } from '../chains/pager';
import { testIds } from '../test-ids';
import { RuleRows } from './diff-rows';
import { FilterField } from './filter-field';

/** The changed chains a page at a time with their counts; a chain's rules load when it is opened. */

function ChainRules({ pair, chain }: { pair: DiffPair; chain: DiffChainEntry }) {
  const [page, setPage] = useState(1);
  const rules = useQuery(diffQueries.rules(pair, chain.n, chain.chain, page));
  if (rules.error)
    return (
      <p role="alert" className="error-text">
        {rules.error.message}
      </p>
    );
  if (!rules.data) return <p role="status">Loading the rules…</p>;
  const total = chain.added + chain.removed + chain.moved;
  if (total === 0)
    return <p className="muted">Same rules in the same order: only the chain&apos;s name changed.</p>;
  return (
    <>
      {rules.data.pages > 1 && (
        <Pager
          page={page}
          pages={rules.data.pages}
          label={`${countText(total)} rules`}
          onPage={setPage}
          navLabel={`Pages of ${chain.chain}`}
        />
      )}
      <RuleRows rows={rules.data.rows} caption={`Rules of ${chain.chain} that differ`} />
    </>
  );
}

function ChainItem({
  pair,
  chain,
  a,
  b,
}: {
  pair: DiffPair;
  chain: DiffChainEntry;
  a: DiffSide;
  b: DiffSide;
}) {
  const [open, setOpen] = useState(false);
  return (
    <li data-testid={testIds.diffChain} data-chain={chain.chain} data-table={chain.table}>
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <span className={`badge diff-status diff-status--${chain.status}`}>
            {chain.renamedFrom ? 'renamed' : chain.status}
          </span>{' '}
          <span className="muted">{chain.tableLabel}</span> <span className="mono">{chain.chain}</span>
          {chain.renamedFrom && (
            <span className="muted">
              {' '}
              (was <span className="mono">{chain.renamedFrom}</span>: kube-proxy&apos;s hashed name changed,
              same rules)
            </span>
          )}{' '}
          <span className="diff-counts">
            <span className="diff-count--added">+{countText(chain.added)}</span>{' '}
            <span className="diff-count--removed">−{countText(chain.removed)}</span>
            {chain.moved > 0 && <span> ~{countText(chain.moved)} moved</span>}
          </span>
        </summary>
        <p className="diff-open-in">
          {chain.keyA && (
            <Link href={chainHref(a.subject, chain.keyA, chain.renamedFrom ?? chain.chain)}>Open in A</Link>
          )}
          {chain.keyA && chain.keyB && ' · '}
          {chain.keyB && <Link href={chainHref(b.subject, chain.keyB, chain.chain)}>Open in B</Link>}
        </p>
        {open && <ChainRules pair={pair} chain={chain} />}
      </details>
    </li>
  );
}

export function DiffChains({
  pair,
  tables,
  a,
  b,
}: {
  pair: DiffPair;
  tables: readonly DiffTableTotals[];
  a: DiffSide;
  b: DiffSide;
}) {
  const [table, setTable] = useState('');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const chains = useQuery(diffQueries.chains(pair, table, q, page));
  return (
    <section aria-labelledby="diff-chains-heading" className="host-section">
      <h2 id="diff-chains-heading">Chains</h2>
      <div className="diff-filters">
        <div className="field">
          <label htmlFor="diff-chains-table">Table</label>
          <select
            id="diff-chains-table"
            value={table}
            onChange={(e) => {
              setTable(e.target.value);
              setPage(1);
            }}
          >
            <option value="">every table</option>
            {tables.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <FilterField
          id="diff-chains-q"
          label="Chain name holds"
          value={q}
          onChange={(v) => {
            setQ(v);
            setPage(1);
          }}
        />
      </div>
      {chains.error ? (
        <p role="alert" className="error-text">
          {chains.error.message}
        </p>
      ) : !chains.data ? (
        <p role="status">Loading the chains…</p>
      ) : chains.data.total === 0 ? (
        <p className="muted">No changed chain matches.</p>
      ) : (
        <>
          <Pager
            page={chains.data.page}
            pages={chains.data.pages}
            label={`${plural(chains.data.total, 'chain differs', 'chains differ')}; open one for its rules`}
            onPage={setPage}
            navLabel="Pages of chains"
          />
          <ul className="diff-chain-list" data-testid={testIds.diffChains}>
            {chains.data.chains.map((c) => (
              <ChainItem key={`${c.n}`} pair={pair} chain={c} a={a} b={b} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

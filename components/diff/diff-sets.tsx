'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { diffQueries, type DiffPair } from '@/app/_data/diff-queries';
import type { DiffSetEntry } from '@/lib/views/diff-view';
import { countText } from '@/lib/views/format';
import { Pager } from '../chains/pager';
import { LineRows } from './diff-rows';

/** nft sets and maps whose elements differ; a set's elements load when it is opened. */

function SetElements({ pair, set }: { pair: DiffPair; set: DiffSetEntry }) {
  const [page, setPage] = useState(1);
  const q = useQuery(diffQueries.set(pair, set.n, set.set, page));
  if (q.error)
    return (
      <p role="alert" className="error-text">
        {q.error.message}
      </p>
    );
  if (!q.data) return <p role="status">Loading the elements…</p>;
  if (q.data.rows.length === 0) return <p className="muted">No elements on either side.</p>;
  return (
    <>
      {q.data.pages > 1 && (
        <Pager
          page={page}
          pages={q.data.pages}
          label={`${countText(set.added + set.removed)} elements`}
          onPage={setPage}
          navLabel={`Pages of @${set.set}`}
        />
      )}
      <LineRows rows={q.data.rows} />
    </>
  );
}

function SetItem({ pair, set }: { pair: DiffPair; set: DiffSetEntry }) {
  const [open, setOpen] = useState(false);
  return (
    <li>
      <details onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          <span className={`badge diff-status diff-status--${set.status}`}>{set.status}</span>{' '}
          <span className="muted">
            nft {set.family} {set.table}
          </span>{' '}
          <span className="mono">@{set.set}</span>{' '}
          <span className="diff-counts">
            <span className="diff-count--added">+{countText(set.added)}</span>{' '}
            <span className="diff-count--removed">−{countText(set.removed)}</span>
          </span>
        </summary>
        {open && <SetElements pair={pair} set={set} />}
      </details>
    </li>
  );
}

export function DiffSets({ pair, sets }: { pair: DiffPair; sets: readonly DiffSetEntry[] }) {
  return (
    <section aria-labelledby="diff-sets-heading" className="host-section">
      <h2 id="diff-sets-heading">Sets and maps</h2>
      <ul className="diff-chain-list">
        {sets.map((s) => (
          <SetItem key={s.n} pair={pair} set={s} />
        ))}
      </ul>
    </section>
  );
}

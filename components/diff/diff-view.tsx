'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { diffQueries } from '@/app/_data/diff-queries';
import { testIds } from '../test-ids';
import { DiffChains } from './diff-chains';
import { DiffPicker } from './diff-picker';
import { DiffServices } from './diff-services';
import { DiffSets } from './diff-sets';
import { DiffRoutes, DiffSummaryView } from './diff-summary';

/**
 * Diff: the two sides, then what changed from A to B: counts first, per chain on demand, per
 * service with endpoint shares, sets and routes. The pair lives in the URL (`?a=…&b=…`).
 */
export function DiffView() {
  const router = useRouter();
  const params = useSearchParams();
  const a = params.get('a');
  const b = params.get('b');
  const pair = a && b ? { a, b } : null;
  const options = useQuery(diffQueries.options());
  const summary = useQuery({ ...diffQueries.summary(pair ?? { a: '', b: '' }), enabled: pair !== null });
  const submit = (na: string, nb: string) =>
    router.replace(`/diff?${new URLSearchParams({ a: na, b: nb })}`, { scroll: false });

  if (options.isPending) return <p role="status">Loading the hosts and their snapshots…</p>;
  if (options.error)
    return (
      <p role="alert" className="error-text">
        Could not load the hosts to compare: {options.error.message}. Reload the page; if it persists, see the
        server log.
      </p>
    );
  const s = summary.data;
  return (
    <>
      {options.data.hosts.length === 0 ? (
        <section className="empty-state">
          <h2>Nothing to compare yet</h2>
          <p>
            Collect a host first (the fleet page&apos;s “Collect now”, or `packetlens collect`), or import a
            dump.
          </p>
        </section>
      ) : (
        <DiffPicker
          key={params.toString()}
          options={options.data}
          a={a}
          b={b}
          onSubmit={submit}
          busy={summary.isFetching}
        />
      )}
      {!pair && options.data.hosts.length > 0 && (
        <p className="muted">
          Choose a host for B: its latest snapshot is compared with the one before. Or choose two hosts to see
          why one behaves differently.
        </p>
      )}
      {summary.error && (
        <p role="alert" className="error-text" data-testid={testIds.diffError}>
          {summary.error.message}
        </p>
      )}
      {pair && summary.isPending && (
        <p role="status">
          Comparing {pair.a} with {pair.b}…
        </p>
      )}
      {pair && s && (
        <div data-testid={testIds.diffResult}>
          <DiffSummaryView summary={s} />
          {!s.identical && (
            <>
              {s.tables.length > 0 && <DiffChains pair={pair} tables={s.tables} a={s.a} b={s.b} />}
              <DiffServices pair={pair} />
              {s.sets.length > 0 && <DiffSets pair={pair} sets={s.sets} />}
              <DiffRoutes summary={s} />
            </>
          )}
        </div>
      )}
    </>
  );
}

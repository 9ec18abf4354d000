'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { postJson } from '@/app/_data/api-client';
import { queries } from '@/app/_data/queries';
import { CollectionStatus, type Fleet } from '@/lib/views/fleet';
import { labelChoices, labelsMatch } from '@/lib/views/fleet';
import { testIds } from '../test-ids';
import { CollectControl } from './collect-control';
import { HostTable } from './host-table';

/** The fleet: collected hosts and their pods, examples apart, live while a collection runs. */
export function FleetView({ initial }: { initial: Fleet }) {
  const client = useQueryClient();
  const params = useSearchParams();
  // Filtering is instant: kept here and written to the address (a link keeps it) without a reload.
  const [filters, setFilterState] = useState(() => params.getAll('label'));
  const fleet = useQuery({
    ...queries.fleet(),
    initialData: initial,
    // Badges the server has not analysed yet arrive within seconds: asked for again until they do.
    refetchInterval: (q) =>
      q.state.data?.collection.running
        ? 1000
        : [...(q.state.data?.hosts ?? []), ...(q.state.data?.examples ?? [])].some(
              (h) => h.warnings?.state === 'pending',
            )
          ? 3000
          : 30_000,
  });
  const collect = useMutation({
    mutationFn: () => postJson('/api/collect', {}, CollectionStatus),
    onSuccess: () => client.invalidateQueries({ queryKey: queries.fleet().queryKey }),
  });
  const data = fleet.data;
  const choices = labelChoices(data.hosts);
  const shown = data.hosts.filter((h) => labelsMatch(h.labels, filters));

  const setFilters = (next: string[]) => {
    setFilterState(next);
    const q = new URLSearchParams();
    for (const f of next) q.append('label', f);
    window.history.replaceState(null, '', q.size ? `/?${q}` : '/');
  };

  return (
    <>
      <CollectControl
        status={data.collection}
        pending={collect.isPending}
        problem={collect.error ? collect.error.message : null}
        onCollect={() => collect.mutate()}
      />
      {fleet.error && (
        <p role="alert" className="error-text">
          The fleet could not be refreshed: {fleet.error.message}. The list below is from{' '}
          {fleet.dataUpdatedAt ? 'the last answer' : 'the page load'}.
        </p>
      )}

      <section aria-labelledby="fleet-hosts-heading">
        <h2 id="fleet-hosts-heading">Hosts</h2>
        {choices.length > 0 && (
          <fieldset className="label-filter" data-testid={testIds.fleetLabelFilter}>
            <legend>Filter by label</legend>
            {choices.map((c) => (
              <label key={c} className="label-filter__choice">
                <input
                  type="checkbox"
                  checked={filters.includes(c)}
                  onChange={(e) =>
                    setFilters(e.target.checked ? [...filters, c] : filters.filter((f) => f !== c))
                  }
                />{' '}
                {c}
              </label>
            ))}
          </fieldset>
        )}
        {data.hosts.length === 0 ? (
          <div className="empty-state" data-testid={testIds.homeEmptyState}>
            <h3>No hosts collected yet</h3>
            {data.collection.running ? (
              <p>A collection is running; hosts appear here as they are stored.</p>
            ) : data.collection.mode === 'off' ? (
              <p>
                Collection is off. Start the server without PACKETLENS_COLLECT=off, or point PACKETLENS_DB at
                a store that holds hosts.
              </p>
            ) : (
              <p>
                Press “Collect now”, or list your hosts in an inventory file (packetlens.yaml) and restart the
                server.
              </p>
            )}
            <p>
              To look at a host packetlens cannot reach, save its <code>iptables-save</code>,{' '}
              <code>nft -j list ruleset</code> and <code>ip -j</code> outputs and{' '}
              <Link href="/import">import them</Link>.
            </p>
          </div>
        ) : shown.length === 0 ? (
          <p className="empty-state">
            No host has all the labels {filters.join(', ')}.{' '}
            <button type="button" onClick={() => setFilters([])}>
              Clear the filter
            </button>
          </p>
        ) : (
          <HostTable hosts={shown} caption="Collected hosts and their pods" testId={testIds.fleetHosts} />
        )}
      </section>

      {data.examples.length > 0 && (
        <section aria-labelledby="fleet-examples-heading">
          <h2 id="fleet-examples-heading">Examples</h2>
          <p className="muted">
            Snapshots the packetlens project captured from its own lab, shipped so there is always something
            to look at.
          </p>
          <HostTable hosts={data.examples} caption="Example snapshots" testId={testIds.fleetExamples} />
        </section>
      )}
    </>
  );
}

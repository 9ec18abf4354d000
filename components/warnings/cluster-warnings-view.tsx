'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { getJson } from '@/app/_data/api-client';
import { plural, timeText } from '@/lib/views/format';
import { ClusterWarnings, WarningsIndex } from '@/lib/views/warnings-schema';
import type { ClusterRef } from '@/lib/views/warnings-schema';
import { warningsHref } from '@/lib/views/warnings-schema';
import { WarningBadgesSlot } from '../fleet/warning-badges-slot';
import { ScrollRegion } from '../scroll-region';
import { testIds } from '../test-ids';
import { CalibrationNoteView } from './calibration-note';
import { GrowthSection } from './growth-section';
import { WarningsTable } from './warnings-table';

/**
 * A cluster's hosts with their badges and warnings, and its growth; and the start page listing every
 * cluster. Hosts the server has not analysed yet show as such, and the page asks again until they are.
 */

type Member = ClusterWarnings['hosts'][number];

const pendingPoll = (members: readonly Member[]) =>
  members.some((m) => m.badges?.state === 'pending') ? 3000 : false;

function clusterTitle(c: ClusterRef): string {
  const name = c.name === null ? 'Hosts without a cluster label' : `Cluster ${c.name}`;
  return c.scope === 'examples' ? `${name} (examples)` : name;
}

function MembersTable({ members, caption }: { members: readonly Member[]; caption: string }) {
  return (
    <ScrollRegion label={`${caption} (scrollable)`}>
      <table className="data-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Last collection</th>
            <th scope="col">Warnings</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.name}>
              <th scope="row">
                {m.collectedAt ? <Link href={warningsHref({ host: m.name })}>{m.name}</Link> : m.name}
              </th>
              <td>
                {m.collectedAt ? <time dateTime={m.collectedAt}>{timeText(m.collectedAt)}</time> : 'never'}
              </td>
              <td>
                <WarningBadgesSlot host={m.name} warnings={m.badges} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

function ungroupedNote(c: ClusterRef) {
  return c.name === null ? (
    <p className="muted">
      These hosts have no <code>cluster</code> label, so they are grouped together here; give them one in the
      inventory (<code>labels: {'{ cluster: NAME }'}</code>) to see them per cluster.
    </p>
  ) : null;
}

export function ClusterWarningsView({ initial }: { initial: ClusterWarnings }) {
  const c = initial.cluster;
  const url = `/api${warningsHref({ cluster: c.name, scope: c.scope })}`;
  const query = useQuery({
    queryKey: ['warnings', 'cluster', c.scope, c.name],
    queryFn: ({ signal }) => getJson(url, ClusterWarnings, signal),
    initialData: initial,
    refetchInterval: (q) => pendingPoll(q.state.data?.hosts ?? []),
  });
  const data = query.data;
  const pending = data.hosts.filter((h) => h.badges?.state === 'pending').length;
  return (
    <div data-testid={testIds.warningsView} data-cluster={c.name ?? ''}>
      <section aria-labelledby="cluster-heading" className="host-section">
        <h2 id="cluster-heading">{clusterTitle(c)}</h2>
        {ungroupedNote(c)}
        <MembersTable members={data.hosts} caption={`Hosts of ${clusterTitle(c)}`} />
        {query.error && (
          <p role="alert" className="error-text">
            Could not refresh: {query.error.message}. Reload the page to try again.
          </p>
        )}
        <h3>Warnings</h3>
        {pending > 0 && (
          <p role="status" className="muted">
            {plural(pending, 'host')} not yet analysed: the server is analysing them; this list fills in by
            itself.
          </p>
        )}
        {data.warnings.length === 0 ? (
          <p className={pending ? 'muted' : 'success-text'}>
            No warnings{pending ? ' among the hosts analysed so far' : ''}.
          </p>
        ) : (
          <WarningsTable rows={data.warnings} host={null} caption={`Warnings of ${clusterTitle(c)}`} />
        )}
        <p className="muted">Open a host for the rules each warning names.</p>
        <CalibrationNoteView note={data.calibration} />
      </section>
      <GrowthSection growth={data.growth} />
    </div>
  );
}

export function WarningsIndexView({ initial }: { initial: WarningsIndex }) {
  const query = useQuery({
    queryKey: ['warnings', 'index'],
    queryFn: ({ signal }) => getJson('/api/warnings', WarningsIndex, signal),
    initialData: initial,
    refetchInterval: (q) => pendingPoll((q.state.data?.clusters ?? []).flatMap((c) => c.members)),
  });
  const clusters = query.data.clusters;
  if (clusters.length === 0)
    return (
      <section className="empty-state">
        <h2>No hosts yet</h2>
        <p>
          Collect hosts from the <Link href="/">fleet</Link> (or list them in packetlens.yaml); their warnings
          and growth appear here.
        </p>
      </section>
    );
  return (
    <div data-testid={testIds.warningsClusters}>
      {clusters.map((c, i) => (
        <section key={`${c.scope}/${c.name}`} aria-labelledby={`cluster-${i}`} className="host-section">
          <h2 id={`cluster-${i}`}>
            <Link href={warningsHref({ cluster: c.name, scope: c.scope })}>{clusterTitle(c)}</Link>
          </h2>
          {ungroupedNote(c)}
          <MembersTable members={c.members} caption={`Hosts of ${clusterTitle(c)}`} />
        </section>
      ))}
    </div>
  );
}

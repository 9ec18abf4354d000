import type { Subject } from '../../lib/views/host-overview';
import type { HostSummary } from '../store/store';
import { examplePrefix } from './examples';
import type { PreparedSnapshot, PreparedView } from './prepared-snapshots';
import type { Dashboard } from './runtime';

/** Finds the snapshot a view asks for: a stored host's latest or a given one, an example, a pod. */

export class SubjectError extends Error {
  override readonly name = 'SubjectError';
  constructor(
    readonly status: 404,
    message: string,
  ) {
    super(message);
  }
}

export interface ResolvedSubject {
  subject: Subject;
  source: 'store' | 'example';
  /** The cache key of the host's snapshot. */
  key: string;
  prepared: PreparedSnapshot;
  view: PreparedView;
  /** The stored host, for stored subjects. */
  summary: HostSummary | null;
}

export function storeHost(d: Dashboard, name: string): HostSummary | null {
  return (
    d
      .store()
      .hostsList()
      .find((h) => h.name === name) ?? null
  );
}

/** The cache key of a stored host's latest snapshot: it changes with each collection. */
export function latestKey(summary: Pick<HostSummary, 'name' | 'lastSnapshotId' | 'lastSeen'>): string {
  return `latest:${summary.name}:${summary.lastSnapshotId}:${summary.lastSeen}`;
}

/** The cache key and loader of a host's snapshot, without loading it. */
export function subjectSource(
  d: Dashboard,
  subject: Pick<Subject, 'host' | 'snapshot'>,
): {
  key: string;
  source: 'store' | 'example';
  summary: HostSummary | null;
  load: () => PreparedSnapshot | null;
} {
  if (subject.host.startsWith(examplePrefix)) {
    const snap = d.examples.snapshots.get(subject.host);
    if (!snap) throw new SubjectError(404, `no example named ${subject.host.slice(examplePrefix.length)}`);
    const key = subject.host;
    return { key, source: 'example', summary: null, load: () => d.prepared.get(key, () => snap) };
  }
  const summary = storeHost(d, subject.host);
  if (!summary) throw new SubjectError(404, `no host named ${subject.host} in the store`);
  if (subject.snapshot !== null) {
    const id = subject.snapshot;
    const key = `snapshot:${id}`;
    return {
      key,
      source: 'store',
      summary,
      load: () =>
        d.prepared.get(key, () => {
          const stored = d.store().snapshotGet(id);
          return stored && stored.host === subject.host ? stored.snapshot : null;
        }),
    };
  }
  if (summary.lastSnapshotId === null) {
    const why = summary.state === 'failed' ? `: ${d.collection.redact(summary.reason.message)}` : '';
    throw new SubjectError(404, `${subject.host} has not been collected yet${why}`);
  }
  return { key: latestKey(summary), source: 'store', summary, load: () => latestPrepared(d, summary) };
}

/** A stored host's latest snapshot, prepared (and kept) under its `latestKey`. */
export function latestPrepared(d: Dashboard, summary: HostSummary): PreparedSnapshot | null {
  return d.prepared.get(latestKey(summary), () => d.store().snapshotLatest(summary.name)?.snapshot ?? null);
}

export function subjectResolve(d: Dashboard, subject: Subject): ResolvedSubject {
  const source = subjectSource(d, subject);
  const prepared = source.load();
  if (!prepared)
    throw new SubjectError(404, `snapshot ${subject.snapshot} of ${subject.host} is not in the store`);
  const view = prepared.view(subject.pod);
  if (!view) {
    const pods = prepared.snapshot.pods.map((p) => p.host.name);
    throw new SubjectError(
      404,
      `no pod ${subject.pod} on ${subject.host}` +
        (pods.length ? ` (pods: ${pods.join(', ')})` : ' (it has no pods)'),
    );
  }
  return { subject, source: source.source, key: source.key, prepared, view, summary: source.summary };
}

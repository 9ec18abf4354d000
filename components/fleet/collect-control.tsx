'use client';

import type { CollectionStatus } from '@/lib/views/fleet';
import { plural } from '@/lib/views/format';
import { testIds } from '../test-ids';

function progressText(status: CollectionStatus): string {
  const run = status.run;
  if (status.running && run) return `Collecting: ${run.done}/${run.total} hosts`;
  if (status.running) return 'Collecting: starting';
  if (run && run.finishedAt) {
    return `Last run (#${run.id}): ${plural(run.ok, 'host')} collected, ${run.failed} failed`;
  }
  return '';
}

/** "Collect now" and the run's progress (`12/50 hosts`), announced to screen readers as it moves. */
export function CollectControl({
  status,
  pending,
  problem,
  onCollect,
}: {
  status: CollectionStatus;
  pending: boolean;
  /** Why the last request to collect failed. */
  problem: string | null;
  onCollect: () => void;
}) {
  const source =
    status.mode === 'inventory'
      ? `${plural(status.targets, 'host')} of ${status.inventory ?? 'the inventory'}`
      : status.mode === 'local'
        ? 'this machine (no inventory)'
        : 'nothing';
  const disabled = status.mode === 'off' || status.targets === 0 || pending || status.running;
  return (
    <section className="collect" aria-label="Collection">
      <p className="collect__source">
        {status.mode === 'off'
          ? 'Collection is off.'
          : `Collects ${source}${status.everyMinutes !== null ? `, every ${status.everyMinutes} min` : ''}.`}
      </p>
      <button type="button" onClick={onCollect} disabled={disabled} data-testid={testIds.collectButton}>
        {status.running ? 'Collecting…' : 'Collect now'}
      </button>
      <p role="status" aria-live="polite" className="collect__progress" data-testid={testIds.collectProgress}>
        {progressText(status)}
      </p>
      {status.problem && <p className={status.mode === 'off' ? 'muted' : 'error-text'}>{status.problem}</p>}
      {problem && (
        <p role="alert" className="error-text">
          Could not start a collection: {problem}
        </p>
      )}
    </section>
  );
}

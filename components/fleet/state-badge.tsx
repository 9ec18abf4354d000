import type { HostStateView } from '@/lib/views/fleet';

const labels: Record<HostStateView['state'], string> = {
  fresh: 'fresh',
  stale: 'stale',
  failed: 'failed',
  pending: 'collecting',
  example: 'example',
};

/** A host's state, and for a stale or failed host the collector's reason, as text. */
export function StateBadge({ state }: { state: HostStateView }) {
  return (
    <div className="state">
      <span className={`badge badge--${state.state}`}>{labels[state.state]}</span>
      {'reason' in state && (
        <p className="state__reason">
          <span className="state__kind">{state.reason.kind}</span> {state.reason.message}
        </p>
      )}
    </div>
  );
}

import Link from 'next/link';
import type { WarningBadges } from '@/lib/views/warnings-schema';
import { countText } from '@/lib/views/format';
import { warningsHref } from '@/lib/views/warnings-schema';
import { testIds } from '../test-ids';

const severities = ['critical', 'warning', 'info'] as const;

/**
 * A host's warnings counted by severity, linking to its warnings view. A host the server has not
 * analysed yet says so: a count appears only once it was measured.
 */
export function WarningBadgesSlot({ host, warnings }: { host: string; warnings: WarningBadges | null }) {
  if (warnings === null)
    return (
      <span className="muted" data-testid={testIds.fleetWarningsSlot} data-state="none">
        no snapshot
      </span>
    );
  if (warnings.state === 'pending')
    return (
      <span className="muted" data-testid={testIds.fleetWarningsSlot} data-state="pending">
        not yet analysed
      </span>
    );
  if (warnings.state === 'failed')
    return (
      <span data-testid={testIds.fleetWarningsSlot} data-state="failed">
        <span className="error-text">analysis failed</span>
        <span className="state__reason muted">{warnings.message}</span>
      </span>
    );
  const shown = severities.filter((s) => warnings[s] > 0);
  const words = shown.map((s) => `${countText(warnings[s])} ${s}`);
  return (
    <Link
      href={warningsHref({ host })}
      className="warning-badges"
      data-testid={testIds.fleetWarningsSlot}
      data-state="analysed"
      aria-label={`Warnings of ${host}: ${words.length ? words.join(', ') : 'none'}`}
    >
      {shown.length === 0 ? (
        <span className="badge badge--none">none</span>
      ) : (
        shown.map((s) => (
          <span key={s} className={`badge badge--${s}`} data-severity={s}>
            {countText(warnings[s])} {s}
          </span>
        ))
      )}
    </Link>
  );
}

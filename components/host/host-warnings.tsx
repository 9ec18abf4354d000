import Link from 'next/link';
import type { HostWarningsBrief } from '@/lib/views/warnings';
import { warningsHref } from '@/lib/views/warnings-schema';
import { testIds } from '../test-ids';
import { valueText } from '../warnings/value-text';

/**
 * The host overview's warnings: what, how bad and the numbers, linking to the full view (sources,
 * rules, growth). From the server's analysis cache, so a large host's analysis never holds up the
 * overview; a host not analysed yet says so.
 */
export function HostWarnings({ host, brief }: { host: string; brief: HostWarningsBrief | null }) {
  const full = warningsHref({ host });
  return (
    <section
      aria-labelledby="host-warnings-heading"
      className="host-section"
      data-testid={testIds.hostWarnings}
    >
      <h2 id="host-warnings-heading">Warnings</h2>
      {brief === null ? (
        <p className="muted" data-state="pending">
          Not yet analysed: the server analyses each host in the background. Reload in a moment, or open the{' '}
          <Link href={full}>warnings view</Link>, which analyses it now.
        </p>
      ) : brief.badges.state === 'failed' ? (
        <p role="alert" className="error-text">
          {brief.badges.message}.
        </p>
      ) : brief.warnings.length === 0 ? (
        <p className="success-text">
          No warnings: every measure is under its thresholds. <Link href={full}>Growth and thresholds</Link>
        </p>
      ) : (
        <>
          <ul className="host-warnings">
            {brief.warnings.map((w) => (
              <li key={`${w.id}/${w.subject}`} data-warning={w.id}>
                <span className={`badge badge--${w.severity}`}>{w.severity}</span> <code>{w.id}</code>{' '}
                <span className="mono">{w.subject}</span>: {valueText(w.measured)} {w.unit} (above{' '}
                {valueText(w.threshold)})
              </li>
            ))}
          </ul>
          <p>
            <Link href={full}>All warnings of {host}</Link>: why each matters, what helps, the sources of the
            thresholds, the rules involved, and growth over time.
          </p>
        </>
      )}
    </section>
  );
}

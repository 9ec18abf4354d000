'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { getJson } from '@/app/_data/api-client';
import { hostApi } from '@/lib/views/urls';
import { HostWarningsBrief, warningsHref } from '@/lib/views/warnings-schema';
import { testIds } from '../test-ids';
import { valueText } from '../warnings/value-text';

/**
 * The host overview's warnings: what, how bad and the numbers, linking to the full view (sources,
 * rules, growth). Fetched apart so a large host's analysis never holds up the overview.
 */
export function HostWarnings({ host }: { host: string }) {
  // Not through app/_data/queries.ts: that module would bring every view's schemas to this page.
  const brief = useQuery({
    queryKey: ['warnings-brief', host],
    queryFn: ({ signal }) =>
      getJson(hostApi({ host, pod: null, snapshot: null }, 'warnings'), HostWarningsBrief, signal),
  });
  const full = warningsHref({ host });
  return (
    <section
      aria-labelledby="host-warnings-heading"
      className="host-section"
      data-testid={testIds.hostWarnings}
    >
      <h2 id="host-warnings-heading">Warnings</h2>
      {brief.isPending ? (
        <p role="status" className="muted">
          Analysing the host&apos;s rules… A host with a very large rule set takes a few seconds.
        </p>
      ) : brief.error ? (
        <p role="alert" className="error-text">
          Could not load the warnings: {brief.error.message}. Reload the page, or open the{' '}
          <Link href={full}>warnings view</Link>.
        </p>
      ) : brief.data.badges.state === 'failed' ? (
        <p role="alert" className="error-text">
          {brief.data.badges.message}.
        </p>
      ) : brief.data.warnings.length === 0 ? (
        <p className="success-text">
          No warnings: every measure is under its thresholds. <Link href={full}>Growth and thresholds</Link>
        </p>
      ) : (
        <>
          <ul className="host-warnings">
            {brief.data.warnings.map((w) => (
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

import Link from 'next/link';
import { countText, plural, timeText } from '@/lib/views/format';
import { hostHref } from '@/lib/views/urls';
import type { HostWarnings } from '@/lib/views/warnings';
import { warningsHref } from '@/lib/views/warnings-schema';
import { testIds } from '../test-ids';
import { CalibrationNoteView } from './calibration-note';
import { GrowthSection } from './growth-section';
import { valueText } from './value-text';
import { WarningsTable } from './warnings-table';

/** One host's warnings, the rules they name, what was measured, and its growth. */
export function HostWarningsView({ data }: { data: HostWarnings }) {
  const a = data.analysis;
  const cluster = data.cluster;
  return (
    <div data-testid={testIds.warningsView} data-host={data.host}>
      <section aria-labelledby="host-warnings-heading" className="host-section">
        <h2 id="host-warnings-heading">
          Warnings of <Link href={hostHref({ host: data.host, pod: null, snapshot: null })}>{data.host}</Link>
        </h2>
        <p className="muted">
          {data.source === 'example'
            ? 'Example snapshot'
            : cluster === null
              ? 'Imported'
              : 'Latest collection'}
          , <time dateTime={data.collectedAt}>{timeText(data.collectedAt)}</time>; the host&apos;s own
          namespace (not its pods).{' '}
          {cluster === null ? (
            'An imported dump: it belongs to no cluster.'
          ) : (
            <>
              Cluster:{' '}
              <Link href={warningsHref({ cluster: cluster.name, scope: cluster.scope })}>
                {cluster.name === null ? 'none (no cluster label)' : cluster.name}
              </Link>{' '}
              ({plural(cluster.hosts.length, 'host')}).
            </>
          )}
        </p>
        {a.state === 'failed' ? (
          <p role="alert" className="error-text">
            {a.message}. The other views of this host still work; the server log has the details.
          </p>
        ) : (
          <>
            {a.warnings.length === 0 ? (
              <p className="success-text">No warnings: every measure is under its thresholds.</p>
            ) : (
              <WarningsTable rows={a.warnings} host={data.host} caption={`Warnings of ${data.host}`} />
            )}
            <h3>Measured</h3>
            <ul className="code-list">
              <li>
                {countText(a.measurements.rulesTotal)} rules, {countText(a.measurements.services)} kube-proxy
                services, {countText(a.measurements.endpoints)} endpoints
                {a.measurements.longestChain &&
                  `; longest chain ${a.measurements.longestChain.family}/${a.measurements.longestChain.table} ${a.measurements.longestChain.chain} (${countText(a.measurements.longestChain.rules)} rules)`}
              </li>
              {a.measurements.dumps.map((dump) => (
                <li key={`${dump.family}-${dump.backend}`}>
                  {dump.family} ({dump.backend} backend): {countText(dump.rules)} rules,{' '}
                  {countText(dump.bytes)} bytes, a full restore about {valueText(dump.restoreSeconds)} s
                  {dump.firstPacket &&
                    `; a new connection evaluates up to ${countText(dump.firstPacket.worst)} nat rules (mean ${valueText(dump.firstPacket.expected)})`}
                </li>
              ))}
              {a.measurements.conntrack && (
                <li>
                  conntrack: {countText(a.measurements.conntrack.count)} of{' '}
                  {countText(a.measurements.conntrack.max)} ({a.measurements.conntrack.percent.toFixed(1)} %)
                </li>
              )}
            </ul>
            {(a.notChecked.length > 0 || a.shadowingBounded.length > 0) && (
              <>
                <h3>Not checked</h3>
                <ul>
                  {a.notChecked.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                  {a.shadowingBounded.map((b) => (
                    <li key={`${b.family}/${b.table}/${b.chain}`}>
                      shadowing checked partly in {b.family}/{b.table} {b.chain}: {countText(b.skipped)} rules
                      met the comparison bound
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
        <CalibrationNoteView note={data.calibration} />
      </section>
      <GrowthSection growth={data.growth} />
    </div>
  );
}

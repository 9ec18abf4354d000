import Link from 'next/link';
import type { Subject } from '@/lib/views/host-overview';
import { countText } from '@/lib/views/format';
import { chainHref } from '@/lib/views/urls';
import type { RuleLink, WarningView } from '@/lib/views/warnings';
import { warningsHref } from '@/lib/views/warnings-schema';
import { ScrollRegion } from '../scroll-region';
import { testIds } from '../test-ids';
import { valueText } from './value-text';

/**
 * Warnings as a table: severity, what, the measured number against the threshold it crossed, why,
 * what helps, the public sources of the threshold, and the rules the warning names (exact text).
 */

type Row = Omit<WarningView, 'rules'> & { rules?: RuleLink[]; host?: string };

function RuleList({ host, rules, more }: { host: string; rules: readonly RuleLink[]; more: number }) {
  const subject: Subject = { host, pod: null, snapshot: null };
  const total = rules.length + more;
  return (
    <details className="warning-rules" data-testid={testIds.warningRules}>
      <summary>
        {total === 1 ? 'The rule' : `The ${countText(total)} rules`} involved
        {more > 0 ? ` (the first ${countText(rules.length)} listed)` : ''}
      </summary>
      <ScrollRegion label="Rules involved (scrollable)">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Chain</th>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Line / handle</th>
              <th scope="col">Rule</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={`${r.family}/${r.table}/${r.backend}/${r.chain}/${r.index}`}>
                <td className="mono">
                  {r.family}/{r.table}
                  {r.backend === 'legacy' ? ' (legacy)' : ''}{' '}
                  {r.tableKey ? (
                    <Link href={chainHref(subject, r.tableKey, r.chain)}>{r.chain}</Link>
                  ) : (
                    r.chain
                  )}
                </td>
                <td className="num">{r.index}</td>
                <td className="num">{r.line !== null ? `line ${r.line}` : `handle ${r.handle}`}</td>
                <td>
                  <code className="rule-text">{r.text}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </details>
  );
}

export function WarningsTable({
  rows,
  host,
  caption,
}: {
  rows: readonly Row[];
  /** The host every row is of; null when rows name their host (a cluster). */
  host: string | null;
  caption: string;
}) {
  return (
    // Named apart from the section around it, whose heading may say the same.
    <ScrollRegion label={`${caption} (scrollable)`}>
      <table className="data-table warnings-table" data-testid={testIds.warningsTable}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            {host === null && <th scope="col">Host</th>}
            <th scope="col">What</th>
            <th scope="col" className="num">
              Measured
            </th>
            <th scope="col" className="num">
              Threshold
            </th>
            <th scope="col">Why, what helps, sources</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((w) => (
            <tr
              key={`${w.host ?? host}/${w.id}/${w.subject}`}
              data-testid={testIds.warningRow}
              data-warning={w.id}
              data-severity={w.severity}
            >
              <td>
                <span className={`badge badge--${w.severity}`}>{w.severity}</span>
              </td>
              {host === null && (
                <td className="warnings-table__host">
                  <Link href={warningsHref({ host: w.host! })}>{w.host}</Link>
                </td>
              )}
              <td className="warnings-table__what">
                <div>
                  <code>{w.id}</code> <span className="mono">{w.subject}</span>
                </div>
                <div>{w.message}</div>
                {w.rules && w.rules.length > 0 && <RuleList host={host!} rules={w.rules} more={w.more} />}
              </td>
              <td className="num" data-testid={testIds.warningMeasured}>
                {valueText(w.measured)} {w.unit}
              </td>
              <td className="num" data-testid={testIds.warningThreshold}>
                above {valueText(w.threshold)} {w.unit}
              </td>
              <td className="warnings-table__why">
                <p>
                  <strong>Why:</strong> {w.reason}
                </p>
                <p>
                  <strong>Helps:</strong> {w.action}
                </p>
                <ul className="warnings-table__sources">
                  {w.sources.map((s) => (
                    <li key={s.url}>
                      <a href={s.url} rel="noreferrer noopener" target="_blank">
                        {s.title}
                      </a>
                      : {s.says}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

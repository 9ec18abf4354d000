import Link from 'next/link';
import type { DiffSide, DiffSummary, DiffTableTotals } from '@/lib/views/diff-view';
import { diffHref } from '@/lib/views/diff-ref';
import { countText, timeText } from '@/lib/views/format';
import { hostHref } from '@/lib/views/urls';
import { ScrollRegion } from '../scroll-region';
import { testIds } from '../test-ids';
import { LineRows } from './diff-rows';

/** Who is compared with whom, and the counts: per table, services, sets, routes. */

const tableColumns: [Exclude<keyof DiffTableTotals, 'id' | 'label'>, string, string][] = [
  ['rulesAdded', 'Rules added', '+'],
  ['rulesRemoved', 'Rules removed', '−'],
  ['rulesMoved', 'Rules moved', ''],
  ['chainsAdded', 'Chains added', ''],
  ['chainsRemoved', 'Chains removed', ''],
  ['chainsChanged', 'Chains changed', ''],
  ['chainsRenamed', 'Chains renamed', ''],
];

function SideFacts({ name, side }: { name: string; side: DiffSide }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>
        <Link href={hostHref(side.subject)} className="mono">
          {side.ref}
        </Link>{' '}
        <span className="muted">
          {side.example ? 'example, ' : side.latest ? 'latest, ' : ''}collected{' '}
          <time dateTime={side.collectedAt}>{timeText(side.collectedAt)}</time>
        </span>
      </dd>
    </div>
  );
}

export function DiffSummaryView({ summary: s }: { summary: DiffSummary }) {
  const t = s.totals;
  return (
    <section aria-labelledby="diff-summary-heading" data-testid={testIds.diffSummary}>
      <h2 id="diff-summary-heading">Summary</h2>
      <dl className="facts">
        <SideFacts name="A" side={s.a} />
        <SideFacts name="B" side={s.b} />
      </dl>
      <p className="muted">
        Link to this comparison:{' '}
        <Link href={diffHref(s.a.subject, s.b.subject)}>{diffHref(s.a.subject, s.b.subject)}</Link>
      </p>
      {s.identical ? (
        <p className="diff-identical" data-testid={testIds.diffIdentical}>
          Identical: no rule, chain, set, service or route differs between A and B (counters are not
          compared).
        </p>
      ) : (
        <>
          <p data-testid={testIds.diffTotals}>
            Rules: <span className="diff-count--added">+{countText(t.rulesAdded)}</span>{' '}
            <span className="diff-count--removed">−{countText(t.rulesRemoved)}</span>,{' '}
            {countText(t.rulesMoved)} moved. Chains: {countText(t.chainsAdded)} added,{' '}
            {countText(t.chainsRemoved)} removed, {countText(t.chainsChanged)} changed,{' '}
            {countText(t.chainsRenamed)} renamed. Services: {countText(t.servicesAdded)} added,{' '}
            {countText(t.servicesRemoved)} removed, {countText(t.servicesChanged)} with other endpoints
            (endpoints +{countText(t.endpointsAdded)} −{countText(t.endpointsRemoved)}). Sets and maps
            changed: {countText(t.setsChanged)}. Routes: +{countText(t.routesAdded)} −
            {countText(t.routesRemoved)} ~{countText(t.routesChanged)}.
          </p>
          {s.tables.length > 0 && (
            <ScrollRegion label="Changes per table">
              <table className="data-table">
                <caption>Changes per table</caption>
                <thead>
                  <tr>
                    <th scope="col">Table</th>
                    {tableColumns.map(([, title]) => (
                      <th key={title} scope="col" className="num">
                        {title}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {s.tables.map((x) => (
                    <tr key={x.id} data-testid={testIds.diffTable} data-table={x.id}>
                      <th scope="row">{x.label}</th>
                      {tableColumns.map(([field, title, sign]) => (
                        <td key={title} className="num">
                          {sign}
                          {countText(x[field])}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollRegion>
          )}
        </>
      )}
    </section>
  );
}

export function DiffRoutes({ summary: s }: { summary: DiffSummary }) {
  const t = s.totals;
  const total = t.routesAdded + t.routesRemoved + t.routesChanged;
  if (total === 0) return null;
  return (
    <section aria-labelledby="diff-routes-heading" className="host-section">
      <h2 id="diff-routes-heading">Routes</h2>
      {total > s.routes.length && (
        <p className="muted">
          The first {countText(s.routes.length)} of {countText(total)} route changes; `packetlens diff{' '}
          {s.a.ref} {s.b.ref}` prints them all.
        </p>
      )}
      <LineRows rows={s.routes} />
    </section>
  );
}

import type { Subject } from '@/lib/views/host-overview';
import type { NatEgress } from '@/lib/views/nat-payload';
import { countText } from '@/lib/views/format';
import { ScrollRegion } from '../scroll-region';
import { testIds } from '../test-ids';
import { NatRuleLink } from './nat-rule-link';

/** SNAT and MASQUERADE: which sources leave by which interface as which address, and the rule. */
export function NatEgressTable({
  subject,
  egress,
  total,
}: {
  subject: Subject;
  egress: readonly NatEgress[];
  total: number;
}) {
  if (egress.length === 0)
    return <p className="muted">No SNAT or MASQUERADE rule: packets leave with the source they have.</p>;
  return (
    <>
      <ScrollRegion label="SNAT and MASQUERADE egress">
        <table className="data-table nat-egress" data-testid={testIds.natEgress}>
          <thead>
            <tr>
              <th scope="col">Sources (what reaches the rule)</th>
              <th scope="col">Out by</th>
              <th scope="col">Leaves as</th>
              <th scope="col">Translation</th>
              <th scope="col">Rule</th>
            </tr>
          </thead>
          <tbody>
            {egress.map((e) =>
              (e.interfaces.length ? e.interfaces : [null]).map((i, k) => (
                <tr key={`${e.id}/${k}`} className={k > 0 ? 'nat-egress__more' : undefined}>
                  {k === 0 && (
                    <td rowSpan={Math.max(1, e.interfaces.length)}>
                      <span className="mono">{e.sources}</span>
                      {e.exempt.map((x, j) => (
                        <div key={`x${j}`} className="muted">
                          except {x.verdict}: <span className="mono">{x.rule.text}</span>
                        </div>
                      ))}
                      {e.marks.map((m) => (
                        <div key={m} className="muted">
                          mark {m}
                        </div>
                      ))}
                    </td>
                  )}
                  <td className="mono">{i ? i.name : '—'}</td>
                  <td className="mono">
                    {!i ? (
                      'no route leads anywhere these packets may go'
                    ) : i.problem ? (
                      <span className="warning-text">{i.problem}</span>
                    ) : (
                      i.sources.map((s) => (
                        <div key={s.address}>
                          {s.address}
                          {s.when && <span className="muted"> ({s.when})</span>}
                        </div>
                      ))
                    )}
                  </td>
                  {k === 0 && (
                    <>
                      <td rowSpan={Math.max(1, e.interfaces.length)}>
                        {e.translation}
                        <div className="muted">{e.owner}</div>
                      </td>
                      <td rowSpan={Math.max(1, e.interfaces.length)}>
                        <NatRuleLink subject={subject} rule={e.rule} />
                        <div className="mono nat-flow__rule">{e.rule.text}</div>
                        {e.notes.map((n) => (
                          <div key={n} className="muted">
                            {n}
                          </div>
                        ))}
                      </td>
                    </>
                  )}
                </tr>
              )),
            )}
          </tbody>
        </table>
      </ScrollRegion>
      {total > egress.length && (
        <p className="muted">
          The first {countText(egress.length)} of {countText(total)} SNAT rules are shown; the chains view
          lists every one.
        </p>
      )}
    </>
  );
}

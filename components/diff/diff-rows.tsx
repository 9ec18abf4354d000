import type { RuleRef } from '@/lib/analyze/rule-ref';
import type { DiffLine, DiffRuleRow } from '@/lib/views/diff-view';
import { testIds } from '../test-ids';

/** Lines of a diff: a visible + / - / ~ marker (colour only repeats it) and the exact text. */

const signWords = { '+': 'only in B', '-': 'only in A', '~': 'moved' } as const;
const signClass = { '+': 'diff-row--added', '-': 'diff-row--removed', '~': 'diff-row--moved' } as const;

export function Sign({ sign }: { sign: '+' | '-' | '~' }) {
  return (
    <>
      <span className="diff-sign" aria-hidden="true">
        {sign === '-' ? '−' : sign}
      </span>
      <span className="visually-hidden">{signWords[sign]}</span>
    </>
  );
}

function where(r: RuleRef): string {
  return `#${r.index}${r.line !== null ? ` line ${r.line}` : r.handle !== null ? ` handle ${r.handle}` : ''}`;
}

export function RuleRows({ rows, caption }: { rows: readonly DiffRuleRow[]; caption: string }) {
  return (
    <table className="data-table diff-table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">Change</span>
          </th>
          <th scope="col">Where</th>
          <th scope="col">Rule</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i} className={signClass[r.sign]} data-testid={testIds.diffRuleRow} data-sign={r.sign}>
            <td className="diff-sign-cell">
              <Sign sign={r.sign} />
            </td>
            <td className="nowrap">
              {r.sign === '-' ? 'A ' : 'B '}
              {where(r.rule)}
              {r.fromIndex !== null && <span className="muted"> (A #{r.fromIndex})</span>}
            </td>
            <td>
              <code className="rule-text" data-testid={testIds.ruleText}>
                {r.rule.text}
              </code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function LineRows({ rows }: { rows: readonly DiffLine[] }) {
  return (
    <ul className="code-list diff-lines">
      {rows.map((r, i) => (
        <li key={i} className={signClass[r.sign]}>
          <Sign sign={r.sign} />{' '}
          {r.before !== null && (
            <>
              <code>{r.before}</code> →{' '}
            </>
          )}
          <code>{r.text}</code>
        </li>
      ))}
    </ul>
  );
}

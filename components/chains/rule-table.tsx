'use client';

import type { ChainSummary, RulePage, RuleRow } from '@/lib/views/rule-page';
import { countText } from '@/lib/views/format';
import { ScrollRegion } from '../scroll-region';
import { testIds } from '../test-ids';
import { Pager } from './pager';

function Counter({ value }: { value: number | string }) {
  return <>{countText(value)}</>;
}

/** The rule's exact text (untrusted: React renders it as text) and where it continues, as table cells. */
export function RuleCells({ row, onFollow }: { row: RuleRow; onFollow: (chain: string) => void }) {
  return (
    <>
      <td>
        <code className="rule-text" data-testid={testIds.ruleText}>
          {row.text}
        </code>
      </td>
      <td>
        <RuleTargets row={row} onFollow={onFollow} />
      </td>
    </>
  );
}

/** The targets of a rule as buttons that open the target chain (and show it in the graph). */
export function RuleTargets({ row, onFollow }: { row: RuleRow; onFollow: (chain: string) => void }) {
  if (row.targets.length === 0) return null;
  return (
    <ul className="targets">
      {row.targets.map((t) => (
        <li key={`${t.kind}:${t.chain}`}>
          {t.exists ? (
            <button
              type="button"
              className="link-button"
              onClick={() => onFollow(t.chain)}
              title={`${t.kind} ${t.chain}${t.via ? ` via ${t.via}` : ''}`}
            >
              {t.kind === 'goto' ? '⇢' : '→'} {t.chain}
            </button>
          ) : (
            <span className="warning-text" title="the table has no chain of this name">
              {t.kind} {t.chain} (missing)
            </span>
          )}
        </li>
      ))}
      {row.moreTargets > 0 && <li className="muted">and {countText(row.moreTargets)} more</li>}
    </ul>
  );
}

export function ChainHeader({ chain, onFollow }: { chain: ChainSummary; onFollow: (chain: string) => void }) {
  const kind = chain.hook
    ? `${chain.type ?? 'base'} chain on ${chain.hook}, priority ${chain.priority}`
    : chain.builtin
      ? 'built-in chain'
      : 'user chain';
  return (
    <div className="chain-header">
      <h2 data-testid={testIds.chainHeading}>
        Chain <span className="mono">{chain.name}</span>
      </h2>
      <p className="muted">
        {kind}
        {chain.policy ? `, policy ${chain.policy}` : ''} · {countText(chain.rules)} rule
        {chain.rules === 1 ? '' : 's'}
        {chain.line ? ` · declared on line ${chain.line}` : ''}
        {chain.counters
          ? ` · ${countText(chain.counters.packets)} packets, ${countText(chain.counters.bytes)} bytes at the policy`
          : ''}
      </p>
      {chain.comment !== null && <p>Comment: {chain.comment}</p>}
      {chain.callersTotal > 0 ? (
        <div className="callers">
          Reached from
          {chain.callersTotal > chain.callers.length
            ? ` ${countText(chain.callersTotal)} rules, first:`
            : ':'}{' '}
          <ul className="targets targets--inline">
            {chain.callers.map((c) => (
              <li key={`${c.chain}#${c.index}`}>
                <button type="button" className="link-button" onClick={() => onFollow(c.chain)}>
                  {c.chain} #{c.index}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        !chain.builtin && <p className="muted">No rule jumps or goes to this chain.</p>
      )}
    </div>
  );
}

/** A page of a chain's rules: position, source line (or nft handle), counters and the exact text. */
export function RuleTable({
  page,
  highlight,
  onFollow,
  onPage,
}: {
  page: RulePage;
  highlight: number | null;
  onFollow: (chain: string) => void;
  onPage: (page: number) => void;
}) {
  const nft = page.chain.table.startsWith('nft:');
  if (page.chain.rules === 0) {
    return (
      <p className="muted">
        This chain has no rules{page.chain.policy ? `: packets get the policy, ${page.chain.policy}` : ''}.
      </p>
    );
  }
  const first = (page.page - 1) * page.pageSize + 1;
  return (
    <>
      <Pager
        page={page.page}
        pages={page.pages}
        label={`Rules ${countText(first)}–${countText(first + page.rules.length - 1)} of ${countText(page.chain.rules)}`}
        onPage={onPage}
      />
      <ScrollRegion label={`Rules of ${page.chain.name}`}>
        <table className="data-table rule-table" data-testid={testIds.ruleTable}>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col" className="num">
                {nft ? 'Handle' : 'Line'}
              </th>
              <th scope="col" className="num">
                Packets
              </th>
              <th scope="col" className="num">
                Bytes
              </th>
              <th scope="col">Rule</th>
              <th scope="col">Continues in</th>
            </tr>
          </thead>
          <tbody>
            {page.rules.map((r) => (
              <tr
                key={r.index}
                id={`rule-${r.index}`}
                className={r.index === highlight ? 'rule-table__row--highlight' : undefined}
                data-testid={testIds.ruleRow}
              >
                <td className="num">{r.index}</td>
                <td className="num">{nft ? r.handle : r.line}</td>
                <td className="num">{r.counters ? <Counter value={r.counters.packets} /> : '—'}</td>
                <td className="num">{r.counters ? <Counter value={r.counters.bytes} /> : '—'}</td>
                <RuleCells row={r} onFollow={onFollow} />
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </>
  );
}

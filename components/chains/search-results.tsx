'use client';

import type { SearchResult } from '@/lib/views/rule-search';
import { countText } from '@/lib/views/format';
import { ScrollRegion } from '../scroll-region';
import { testIds } from '../test-ids';
import { Pager } from './pager';
import { RuleCells } from './rule-table';

/** Rules (and set elements) matching a search, each with a way to open it in its chain. */
export function SearchResults({
  result,
  busy,
  tableNames,
  onOpen,
  onFollow,
  onPage,
  onClear,
}: {
  result: SearchResult;
  /** A newer search is on its way; the results shown are the previous ones. */
  busy: boolean;
  tableNames: ReadonlyMap<string, string>;
  onOpen: (table: string, chain: string, index: number) => void;
  onFollow: (table: string, chain: string) => void;
  onPage: (page: number) => void;
  onClear: () => void;
}) {
  const first = (result.page - 1) * result.pageSize + 1;
  return (
    <section
      aria-labelledby="search-heading"
      aria-busy={busy}
      className={busy ? 'search-results search-results--busy' : 'search-results'}
      data-testid={testIds.searchResults}
    >
      <h2 id="search-heading">
        {result.error ? 'Search' : `${countText(result.total)} rule${result.total === 1 ? '' : 's'} match`}
        {!result.error && result.elementsTotal > 0
          ? `, and ${countText(result.elementsTotal)} set or map elements`
          : ''}
      </h2>
      {result.error ? (
        <p role="alert" className="error-text">
          {result.error}
        </p>
      ) : (
        <p className="muted">
          Searched for {result.terms.join(' and ')}.{' '}
          <button type="button" className="link-button" onClick={onClear}>
            Clear the search
          </button>
        </p>
      )}
      {result.total === 0 && !result.error && (
        <p>
          No rule matches. Try fewer words, an address or CIDR (10.96.0.0/12), a port (30080), or chain:NAME.
        </p>
      )}
      {result.rules.length > 0 && (
        <>
          <Pager
            page={result.page}
            pages={Math.ceil(result.total / result.pageSize)}
            label={`Matches ${countText(first)}–${countText(first + result.rules.length - 1)} of ${countText(result.total)}`}
            onPage={onPage}
          />
          <ScrollRegion label="Matching rules">
            <table className="data-table rule-table">
              <thead>
                <tr>
                  <th scope="col">Where</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Continues in</th>
                </tr>
              </thead>
              <tbody>
                {result.rules.map((r) => (
                  <tr key={`${r.table}/${r.chain}/${r.index}`} data-testid={testIds.ruleRow}>
                    <td>
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => onOpen(r.table, r.chain, r.index)}
                      >
                        {tableNames.get(r.table) ?? r.table} · {r.chain} #{r.index}
                      </button>
                      <div className="muted">{r.line !== null ? `line ${r.line}` : `handle ${r.handle}`}</div>
                    </td>
                    <RuleCells row={r} onFollow={(chain) => onFollow(r.table, chain)} />
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        </>
      )}
      {result.elements.length > 0 && (
        <>
          <h3>
            Set and map elements
            {result.elementsTotal > result.elements.length ? ` (first ${result.elements.length})` : ''}
          </h3>
          <ul className="code-list">
            {result.elements.map((e, i) => (
              <li key={i}>
                <span className="muted">
                  {tableNames.get(e.table) ?? e.table} @{e.set}:
                </span>{' '}
                <code>{e.text}</code>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

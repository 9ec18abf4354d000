'use client';

import type { ChainList } from '@/lib/views/rule-page';
import { countText } from '@/lib/views/format';

/** Find a chain by name; the list comes from the server, filtered there (a table may hold 60,000). */
export function ChainPicker({
  q,
  list,
  selected,
  onQuery,
  onSelect,
}: {
  q: string;
  list: ChainList | undefined;
  selected: string | null;
  onQuery: (q: string) => void;
  onSelect: (chain: string) => void;
}) {
  return (
    <div className="chain-picker">
      <label htmlFor="chain-picker-input">Find a chain</label>
      <input
        id="chain-picker-input"
        type="search"
        value={q}
        onChange={(e) => onQuery(e.target.value)}
        placeholder="name contains…"
        autoComplete="off"
      />
      {list && (
        <>
          <p className="muted">
            {list.total > list.chains.length
              ? `first ${list.chains.length} of ${countText(list.total)} chains`
              : `${countText(list.total)} chains`}
          </p>
          <ul className="chain-picker__list">
            {list.chains.map((c) => (
              <li key={c.name}>
                <button
                  type="button"
                  className="link-button"
                  aria-current={c.name === selected ? 'true' : undefined}
                  onClick={() => onSelect(c.name)}
                >
                  <span className="mono">{c.name}</span> <span className="muted">{countText(c.rules)}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

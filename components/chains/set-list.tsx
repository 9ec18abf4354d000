'use client';

import type { SetElementsPage, SetList } from '@/lib/views/nft-sets';
import { countText } from '@/lib/views/format';
import { testIds } from '../test-ids';
import { Pager } from './pager';

/** Named nft sets and maps of a table; one opened at a time, its elements a page at a time. */
export function SetListView({
  list,
  open,
  elements,
  elementsError,
  onOpen,
  onPage,
}: {
  list: SetList;
  open: string | null;
  elements: SetElementsPage | undefined;
  elementsError: string | null;
  onOpen: (set: string | null) => void;
  onPage: (page: number) => void;
}) {
  if (list.sets.length === 0) return null;
  return (
    <section aria-labelledby="sets-heading" data-testid={testIds.setList}>
      <h2 id="sets-heading">Sets and maps</h2>
      <ul className="set-list">
        {list.sets.map((s) => (
          <li key={s.name}>
            <button
              type="button"
              className="link-button"
              aria-expanded={open === s.name}
              onClick={() => onOpen(open === s.name ? null : s.name)}
            >
              {s.map ? 'map' : 'set'} <span className="mono">@{s.name}</span>
            </button>{' '}
            <span className="muted">
              type {s.type}
              {s.map ? ` : ${s.map}` : ''}
              {s.flags.length ? `, flags ${s.flags.join(',')}` : ''} · {countText(s.elements)} element
              {s.elements === 1 ? '' : 's'}
            </span>
            {s.comment && <div className="muted">Comment: {s.comment}</div>}
            {open === s.name && (
              <div className="set-list__elements">
                {elementsError ? (
                  <p role="alert" className="error-text">
                    {elementsError}
                  </p>
                ) : !elements ? (
                  <p role="status">Loading elements…</p>
                ) : elements.elements.length === 0 ? (
                  <p className="muted">No elements.</p>
                ) : (
                  <>
                    <Pager
                      page={elements.page}
                      pages={elements.pages}
                      label={`${countText(elements.set.elements)} elements`}
                      onPage={onPage}
                    />
                    <ul className="code-list">
                      {elements.elements.map((e, i) => (
                        <li key={i}>
                          <code>{e}</code>
                        </li>
                      ))}
                    </ul>
                  </>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

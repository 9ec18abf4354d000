'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { queries } from '@/app/_data/queries';
import { countText, timeText } from '@/lib/views/format';
import type { ImportedHost } from '@/lib/views/import-payload';
import { hostHref } from '@/lib/views/urls';
import { testIds } from '../test-ids';

/** Earlier imports, newest first. */
export function ImportList({ initial }: { initial: ImportedHost[] }) {
  const imports = useQuery({ ...queries.imports(), initialData: initial });
  const list = imports.data;
  return (
    <section aria-labelledby="imports-heading" data-testid={testIds.importList}>
      <h2 id="imports-heading">Imported hosts</h2>
      {imports.error && (
        <p role="alert" className="error-text">
          The list could not be refreshed: {imports.error.message}
        </p>
      )}
      {list.length === 0 ? (
        <p className="muted">Nothing imported yet.</p>
      ) : (
        <ul className="import-list">
          {list.map((h) => (
            <li key={h.host}>
              <Link href={hostHref({ host: h.host, pod: null, snapshot: null })}>{h.name}</Link>{' '}
              <span className="muted">
                {h.rules === null ? '' : `${countText(h.rules)} rules · `}imported {timeText(h.importedAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

import Link from 'next/link';
import { diffHref } from '@/lib/views/diff-ref';
import type { Subject } from '@/lib/views/host-overview';
import { testIds } from '../test-ids';

/** On a host page: what changed since the host's snapshot before this one. */
export function CompareLink({
  subject,
  versions,
}: {
  subject: Subject;
  versions: { previous: number; current: number } | null;
}) {
  if (!versions) return null;
  const side = (snapshot: number) => ({ host: subject.host, pod: subject.pod, snapshot });
  return (
    <p className="compare-link">
      <Link
        href={diffHref(side(versions.previous), side(versions.current))}
        data-testid={testIds.compareLink}
      >
        Compare with the previous snapshot
      </Link>{' '}
      <span className="muted">
        (#{versions.previous} → #{versions.current})
      </span>
    </p>
  );
}

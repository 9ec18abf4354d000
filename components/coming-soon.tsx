import Link from 'next/link';
import type { ReactNode } from 'react';
import { testIds } from './test-ids';

/** An honest placeholder for a view whose data comes from a part of packetlens not built yet. */
export function ComingSoon({
  title,
  needs,
  children,
}: {
  title: string;
  needs: string;
  children: ReactNode;
}) {
  return (
    <>
      <h1>{title}</h1>
      <section className="empty-state" aria-labelledby="coming-soon-heading" data-testid={testIds.comingSoon}>
        <h2 id="coming-soon-heading">Not available yet: needs the {needs}</h2>
        {children}
        <p>
          Until then, the <Link href="/">fleet</Link> and each host&apos;s overview and chains show what was
          collected.
        </p>
      </section>
    </>
  );
}

import type { Metadata } from 'next';
import { Suspense } from 'react';
import { DiffView } from '@/components/diff/diff-view';

export const metadata: Metadata = { title: 'Diff' };
export const dynamic = 'force-dynamic';

export default function DiffPage() {
  return (
    <>
      <h1>Diff</h1>
      <p className="lead">
        What changed from A to B: two snapshots of one host (what changed since the last collection) or two
        hosts (why does one node behave differently). Rules added, removed and moved per chain, kube-proxy
        chains that only changed their hashed name, services and their endpoints&apos; shares, nft sets and
        routes. Counters never count as a change.
      </p>
      <Suspense>
        <DiffView />
      </Suspense>
    </>
  );
}

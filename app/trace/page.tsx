import type { Metadata } from 'next';
import { Suspense } from 'react';
import { dashboard } from '@/collector/dashboard/runtime';
import { TraceView } from '@/components/trace/trace-view';

export const metadata: Metadata = { title: 'Life of a packet' };
export const dynamic = 'force-dynamic';

export default async function TracePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const d = await dashboard();
  const sp = await searchParams;
  const collected = d
    .store()
    .hostsList()
    .some((h) => h.lastSnapshotId !== null);
  const scope = sp.scope === 'examples' || (!collected && sp.scope !== 'store') ? 'examples' : 'store';
  return (
    <>
      <h1>Life of a packet</h1>
      <p className="lead">
        Where a packet goes, hook by hook and chain by chain, as the kernel would take it through the
        collected
        {scope === 'examples' ? ' example' : ''} hosts: every rule that matched, the NAT rewrites, the routing
        decisions, across nodes and back. When packetlens cannot decide a step it says so rather than guess.
      </p>
      <Suspense>
        <TraceView scope={scope} />
      </Suspense>
    </>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { HttpError, zodMessage } from '@/collector/dashboard/http';
import { type SearchParams, param } from '@/collector/dashboard/routes';
import { dashboard } from '@/collector/dashboard/runtime';
import { SubjectError } from '@/collector/dashboard/subjects';
import { WarningsQuery, warningsOf } from '@/collector/dashboard/warnings';
import { StoreError } from '@/collector/store/store-error';
import { StoreProblem } from '@/components/store-problem';
import { testIds } from '@/components/test-ids';
import { ClusterWarningsView, WarningsIndexView } from '@/components/warnings/cluster-warnings-view';
import { HostWarningsView } from '@/components/warnings/host-warnings-view';

export const metadata: Metadata = { title: 'Warnings & growth' };
export const dynamic = 'force-dynamic';

/** A host or cluster that is not there, and where to go instead (the page has its own heading). */
function Missing({ message }: { message: string }) {
  return (
    <section
      className="empty-state"
      aria-labelledby="warnings-missing-heading"
      data-testid={testIds.notFound}
    >
      <h2 id="warnings-missing-heading">Nothing to show here</h2>
      <p>{message}</p>
      <p>
        Pick a cluster or host from <Link href="/warnings">the list</Link>, or collect it from the{' '}
        <Link href="/">fleet</Link>.
      </p>
    </section>
  );
}

async function content(sp: SearchParams) {
  const parsed = WarningsQuery.safeParse({
    host: param(sp, 'host'),
    cluster: param(sp, 'cluster'),
    scope: param(sp, 'scope'),
  });
  if (!parsed.success) return <Missing message={zodMessage(parsed.error)} />;
  const d = await dashboard();
  try {
    const p = warningsOf(d, parsed.data);
    if (p.view === 'host') return <HostWarningsView data={p.data} />;
    if (p.view === 'cluster') return <ClusterWarningsView initial={p.data} />;
    return <WarningsIndexView initial={p.data} />;
  } catch (e) {
    if (e instanceof SubjectError || e instanceof HttpError) return <Missing message={e.message} />;
    if (e instanceof StoreError) return <StoreProblem message={e.message} />;
    throw e;
  }
}

export default async function WarningsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const pick = param(sp, 'host') === undefined && param(sp, 'cluster') === undefined;
  return (
    <>
      <h1>Warnings &amp; growth</h1>
      <p className="lead">
        Each host&apos;s rule counts, the longest chain, the KUBE-SERVICES scan, restore time, both iptables
        backends in use and rule hygiene, against thresholds with their public sources; and how rules,
        services and the longest chain grow, with the date each threshold would be crossed.{' '}
        {pick ? 'Pick a cluster or a host.' : <Link href="/warnings">All clusters</Link>}
      </p>
      <Suspense>{await content(sp)}</Suspense>
    </>
  );
}

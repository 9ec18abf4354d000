import type { Metadata } from 'next';
import { Suspense } from 'react';
import { natHostChoices, natOf } from '@/collector/dashboard/nat';
import { pageSubject, param, type SearchParams } from '@/collector/dashboard/routes';
import { dashboard } from '@/collector/dashboard/runtime';
import { SubjectError } from '@/collector/dashboard/subjects';
import { NatView } from '@/components/nat/nat-view';
import { NatQuery, type NatPage } from '@/lib/views/nat-payload';

export const metadata: Metadata = { title: 'NAT' };
export const dynamic = 'force-dynamic';

export default async function NatPageView({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const d = await dashboard();
  const choices = natHostChoices(d);
  const host = param(sp, 'host') || choices[0]?.host;
  if (!host)
    return (
      <>
        <h1>NAT flows</h1>
        <section className="empty-state">
          <h2>No host to show yet</h2>
          <p>Collect a host (the fleet page&apos;s “Collect now”) or import a dump, then come back here.</p>
        </section>
      </>
    );
  const subject = pageSubject(host, sp);
  let initial: NatPage | null = null;
  let problem: string | null = null;
  if (typeof subject === 'string') problem = subject;
  else {
    const query = NatQuery.safeParse({ q: param(sp, 'q'), page: param(sp, 'page') });
    try {
      initial = natOf(d, subject, query.success ? query.data : NatQuery.parse({}));
    } catch (e) {
      if (!(e instanceof SubjectError)) throw e;
      problem = e.message;
    }
  }
  return (
    <>
      <h1>NAT flows</h1>
      <p className="lead">
        Where destination NAT sends new connections, with each endpoint&apos;s exact share, and which sources
        leave by which interface as which address. Read from the host&apos;s own rules; a share the rules
        cannot state is named, not guessed.
      </p>
      <Suspense>
        <NatView
          choices={choices}
          subject={typeof subject === 'string' ? { host, pod: null, snapshot: null } : subject}
          initial={initial}
          problem={problem}
        />
      </Suspense>
    </>
  );
}

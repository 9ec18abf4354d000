import type { Metadata } from 'next';
import { Suspense } from 'react';
import { hostParam, pageSubject, type SearchParams } from '@/collector/dashboard/routes';
import { dashboard } from '@/collector/dashboard/runtime';
import { SubjectError } from '@/collector/dashboard/subjects';
import { chainsContextOf, graphOf, rulesOf, searchOf } from '@/collector/dashboard/views';
import { ChainsView } from '@/components/chains/chains-view';
import { chainsStateFrom, type ChainsInitial } from '@/lib/views/chains-state';
import { HostHeader } from '@/components/host/host-header';
import { SubjectMissing } from '@/components/host/subject-missing';
import { chainDefault, tableDefault } from '@/lib/views/chains-context';
import { SearchRequest } from '@/lib/views/rule-search';
import { subjectResolve } from '@/collector/dashboard/subjects';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ host: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Chains · ${hostParam((await params).host)}` };
}

/** Runs one part of the first view; a part that fails (an unknown chain in the address) says why. */
function attempt<T>(fn: () => T, problems: string[]): T | null {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SubjectError)) throw e;
    problems.push(e.message);
    return null;
  }
}

export default async function ChainsPage({ params, searchParams }: Props) {
  const sp = await searchParams;
  const subject = pageSubject((await params).host, sp);
  if (typeof subject === 'string') return <SubjectMissing message={subject} />;
  const d = await dashboard();
  let resolved;
  try {
    resolved = subjectResolve(d, subject);
  } catch (e) {
    if (e instanceof SubjectError) return <SubjectMissing message={e.message} />;
    throw e;
  }
  const context = chainsContextOf(d, subject);
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) if (typeof v === 'string') query.set(k, v);
  const state = chainsStateFrom(query, tableDefault(resolved.view.index)?.key ?? '');

  const problems: string[] = [];
  let graph = null;
  let rules = null;
  let search = null;
  const table = resolved.view.index.tableByKey.get(state.table);
  if (table) {
    graph = attempt(
      () =>
        graphOf(d, subject, { table: state.table, expand: state.expand, focus: state.focus ?? undefined }),
      problems,
    );
    const chain = state.chain ?? chainDefault(table);
    if (chain !== null) {
      rules = attempt(
        () => rulesOf(d, subject, { table: state.table, chain, page: state.page, pageSize: 100 }),
        problems,
      );
    }
  } else if (context.tables.length > 0) {
    problems.push(`no table ${state.table} on ${subject.pod ?? subject.host}: pick one of the list`);
  }
  if (state.q) {
    const req = SearchRequest.safeParse({ q: state.q, page: state.spage });
    if (req.success) search = searchOf(d, subject, req.data);
  }
  const initial: ChainsInitial = {
    state,
    graph,
    rules,
    search,
    problem: problems.length ? problems.join('; ') : null,
  };

  return (
    <>
      <HostHeader subject={subject} meta={resolved.view.snapshot.host} pods={context.pods} active="chains" />
      <Suspense>
        <ChainsView context={context} initial={initial} />
      </Suspense>
    </>
  );
}

import type { Metadata } from 'next';
import Link from 'next/link';
import { pageSubject, param, type SearchParams, hostParam } from '@/collector/dashboard/routes';
import { previousVersionOf } from '@/collector/dashboard/diff';
import { dashboard } from '@/collector/dashboard/runtime';
import { SubjectError } from '@/collector/dashboard/subjects';
import { overviewOf } from '@/collector/dashboard/views';
import { warningsBriefOf } from '@/collector/dashboard/warnings';
import { DiagramExport } from '@/components/diagram-export';
import { CompareLink } from '@/components/diff/compare-link';
import {
  FactsSection,
  InterfacesSection,
  PolicyRulesSection,
  RoutesSection,
  TablesSection,
} from '@/components/host/host-details';
import { HostHeader } from '@/components/host/host-header';
import { HostWarnings } from '@/components/host/host-warnings';
import { PipelineDiagram } from '@/components/host/pipeline-diagram';
import { SubjectMissing } from '@/components/host/subject-missing';
import { countText } from '@/lib/views/format';
import { hostHref } from '@/lib/views/urls';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ host: string }>; searchParams: Promise<SearchParams> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: hostParam((await params).host) };
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');

export default async function HostOverviewPage({ params, searchParams }: Props) {
  const sp = await searchParams;
  const subject = pageSubject((await params).host, sp);
  if (typeof subject === 'string') return <SubjectMissing message={subject} />;
  const d = await dashboard();
  let overview;
  try {
    overview = overviewOf(d, subject);
  } catch (e) {
    if (e instanceof SubjectError) return <SubjectMissing message={e.message} />;
    throw e;
  }
  const family = param(sp, 'family') === 'ip6' ? 'ip6' : 'ip';
  const pipeline = overview.pipelines.find((p) => p.family === family)!;
  const svgId = 'pipeline-diagram';
  const name = subject.pod ?? subject.host;
  return (
    <>
      <HostHeader subject={subject} meta={overview.meta} pods={overview.hostPods} active="overview" />
      <CompareLink subject={subject} versions={previousVersionOf(d, subject.host, subject.snapshot)} />
      <section aria-labelledby="pipeline-heading" className="host-section">
        <h2 id="pipeline-heading">Netfilter pipeline</h2>
        <p className="muted">
          {overview.rules === null
            ? 'No netfilter rules were collected for this namespace.'
            : `${countText(overview.rules)} rules in ${countText(overview.chains)} chains. `}
          Each hook lists its base chains in the order the kernel runs them (lowest priority first; “=” marks
          equal priorities, whose order no dump records). Every chain&apos;s verdict counts: an accept in one
          does not skip the next.
        </p>
        <nav aria-label="Address family" className="segmented">
          <Link
            href={hostHref(subject, 'overview', { family: 'ip' })}
            aria-current={family === 'ip' ? 'page' : undefined}
          >
            IPv4
          </Link>
          <Link
            href={hostHref(subject, 'overview', { family: 'ip6' })}
            aria-current={family === 'ip6' ? 'page' : undefined}
          >
            IPv6
          </Link>
        </nav>
        <PipelineDiagram pipeline={pipeline} subject={subject} svgId={svgId} />
        <DiagramExport targetId={svgId} fileName={`${fileSafe(name)}-pipeline-${family}`} />
        {pipeline.other.length > 0 && (
          <>
            <h3>Other base chains</h3>
            <ul className="code-list">
              {pipeline.other.map((e) => (
                <li key={`${e.table}/${e.chain}`}>
                  <code>
                    {e.family} {e.tableName} {e.chain}: hook {e.hook}
                    {e.devices.length ? ` device ${e.devices.join(', ')}` : ''} priority {e.priorityText},{' '}
                    {e.rules} rules
                  </code>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {subject.pod === null && <HostWarnings host={subject.host} brief={warningsBriefOf(d, subject.host)} />}
      <TablesSection tables={overview.tables} subject={subject} />
      <InterfacesSection interfaces={overview.interfaces} addresses={overview.addresses} />
      <RoutesSection routes={overview.routes} total={overview.routesTotal} />
      <PolicyRulesSection rules={overview.policyRules} />
      <FactsSection
        sysctls={overview.sysctls}
        diagnostics={overview.diagnostics}
        sources={overview.sources}
      />
    </>
  );
}

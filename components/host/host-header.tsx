import Link from 'next/link';
import type { HostMeta } from '@/lib/model/snapshot';
import { timeText } from '@/lib/views/format';
import type { Subject } from '@/lib/views/host-overview';
import { hostHref, type HostPage } from '@/lib/views/urls';
import { testIds } from '../test-ids';

/** The host's name and what it is, and the host pages' own navigation. */
export function HostHeader({
  subject,
  meta,
  pods,
  active,
}: {
  subject: Subject;
  meta: HostMeta;
  pods: readonly string[];
  active: HostPage;
}) {
  const host = { host: subject.host, pod: null, snapshot: subject.snapshot };
  const pages: { page: HostPage; label: string }[] = [
    { page: 'overview', label: 'Overview' },
    { page: 'chains', label: 'Chains' },
  ];
  return (
    <header className="host-header">
      <p className="breadcrumb">
        <Link href="/">Fleet</Link> /{' '}
        {subject.pod ? (
          <>
            <Link href={hostHref(host, active)}>{subject.host}</Link> / pod
          </>
        ) : (
          'host'
        )}
      </p>
      <h1 data-testid={testIds.hostHeading}>
        {subject.pod ?? subject.host}
        {meta.example && <span className="badge badge--example">example</span>}
        {meta.kind === 'import' && <span className="badge badge--import">imported</span>}
        {meta.kind === 'pod' && <span className="badge badge--pod">pod</span>}
        {subject.snapshot !== null && <span className="badge">snapshot {subject.snapshot}</span>}
      </h1>
      <dl className="facts">
        <div>
          <dt>{meta.kind === 'import' ? 'Imported' : 'Collected'}</dt>
          <dd>
            <time dateTime={meta.collectedAt}>{timeText(meta.collectedAt)}</time>
          </dd>
        </div>
        {meta.hostname !== null && (
          <div>
            <dt>Hostname</dt>
            <dd>{meta.hostname}</dd>
          </div>
        )}
        {meta.kernel !== null && (
          <div>
            <dt>Kernel</dt>
            <dd>{meta.kernel}</dd>
          </div>
        )}
        <div>
          <dt>iptables backend</dt>
          <dd>{meta.iptablesBackend}</dd>
        </div>
        {meta.netns && (
          <div>
            <dt>Network namespace</dt>
            <dd>{meta.netns.name ?? `pid ${meta.netns.pid}`}</dd>
          </div>
        )}
        {Object.entries(meta.labels).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {meta.backendsWithRules.length > 1 && (
        <p className="warning-text">
          Rules are loaded in both the legacy and the nft iptables backends: the kernel runs both, while each
          iptables tool shows only one of them.
        </p>
      )}
      <nav aria-label="Host" className="host-nav" data-testid={testIds.hostNav}>
        <ul>
          {pages.map((p) => (
            <li key={p.page}>
              <Link href={hostHref(subject, p.page)} aria-current={p.page === active ? 'page' : undefined}>
                {p.label}
              </Link>
            </li>
          ))}
        </ul>
        {pods.length > 0 && (
          <details className="pod-picker">
            <summary>
              {subject.pod ? `Pod ${subject.pod}` : `${pods.length} pod${pods.length === 1 ? '' : 's'}`}
            </summary>
            <ul>
              {subject.pod && (
                <li>
                  <Link href={hostHref(host, active)}>the host {subject.host}</Link>
                </li>
              )}
              {pods.map((pod) => (
                <li key={pod}>
                  <Link
                    href={hostHref({ ...host, pod }, active)}
                    aria-current={pod === subject.pod ? 'page' : undefined}
                  >
                    {pod}
                  </Link>
                </li>
              ))}
            </ul>
          </details>
        )}
      </nav>
    </header>
  );
}

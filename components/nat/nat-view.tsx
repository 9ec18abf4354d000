'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { queries } from '@/app/_data/queries';
import { countText, plural } from '@/lib/views/format';
import type { Subject } from '@/lib/views/host-overview';
import type { NatHostChoice, NatPage } from '@/lib/views/nat-payload';
import { natHref } from '@/lib/views/urls';
import { Pager } from '../chains/pager';
import { DiagramExport } from '../diagram-export';
import { testIds } from '../test-ids';
import { NatDiagram } from './nat-diagram';
import { NatEgressTable } from './nat-egress-table';
import { NatFlowList } from './nat-flow-list';

const kindGroups: [NatHostChoice['kind'], string][] = [
  ['collected', 'Collected hosts'],
  ['import', 'Imported'],
  ['example', 'Examples'],
];

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');

function positive(v: string | null): number {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * The NAT view: a host (or pod) of the fleet, its DNAT flows a page at a time as a diagram and as
 * tables, searched on the server, and its SNAT / MASQUERADE egress. Everything lives in the address.
 */
export function NatView({
  choices,
  subject: first,
  initial,
  problem,
}: {
  choices: readonly NatHostChoice[];
  subject: Subject;
  initial: NatPage | null;
  problem: string | null;
}) {
  const client = useQueryClient();
  // The server rendered the first page: its data seeds the cache, so nothing is fetched twice.
  useState(() => {
    if (initial) client.setQueryData(queries.nat(initial.subject, initial.q, initial.page).queryKey, initial);
    return null;
  });
  const params = useSearchParams();
  const subject: Subject = {
    host: params.get('host') || first.host,
    pod: params.get('pod') || null,
    snapshot: params.get('snapshot') ? positive(params.get('snapshot')) : null,
  };
  const q = params.get('q') ?? '';
  const page = positive(params.get('page'));
  const nat = useQuery({
    ...queries.nat(subject, q, page),
    enabled: problem === null || subject.host !== first.host,
  });

  const navigate = (next: { host?: string; pod?: string | null; q?: string; page?: number }) => {
    const s = { ...subject, q, page, ...next };
    const hostChanged = s.host !== subject.host;
    const url = natHref(
      { host: s.host, pod: hostChanged ? null : s.pod, snapshot: hostChanged ? null : s.snapshot },
      { q: s.q, page: s.page > 1 ? s.page : null },
    );
    window.history.pushState(null, '', url);
  };

  const [text, setText] = useState(q);
  const [searched, setSearched] = useState(q);
  if (searched !== q) {
    setSearched(q);
    setText(q);
  }
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    navigate({ q: text.trim(), page: 1 });
  };

  const data = nat.data?.subject.host === subject.host ? nat.data : undefined;
  const pods = data?.pods ?? [];
  const shown = subject.pod ?? subject.host;

  return (
    <div data-testid={testIds.natView} className="nat">
      <form className="nat__picker" onSubmit={onSearch} data-testid={testIds.natPicker} role="search">
        <div className="field">
          <label htmlFor="nat-host">Host</label>
          <select
            id="nat-host"
            value={subject.host}
            onChange={(e) => navigate({ host: e.target.value, q: '', page: 1 })}
          >
            {!choices.some((c) => c.host === subject.host) && (
              <option value={subject.host}>{subject.host}</option>
            )}
            {kindGroups.map(([kind, label]) => {
              const hosts = choices.filter((c) => c.kind === kind);
              return hosts.length ? (
                <optgroup key={kind} label={label}>
                  {hosts.map((c) => (
                    <option key={c.host} value={c.host}>
                      {c.host}
                    </option>
                  ))}
                </optgroup>
              ) : null;
            })}
          </select>
        </div>
        <div className="field">
          <label htmlFor="nat-pod">Namespace</label>
          <select
            id="nat-pod"
            value={subject.pod ?? ''}
            onChange={(e) => navigate({ pod: e.target.value || null, page: 1 })}
          >
            <option value="">the host itself</option>
            {pods.map((p) => (
              <option key={p} value={p}>
                pod {p}
              </option>
            ))}
          </select>
        </div>
        <div className="field nat__search">
          <label htmlFor="nat-search">Search flows</label>
          <input
            id="nat-search"
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="default/web:http, 10.96.0.10, 30080, 10.244.1.2"
            data-testid={testIds.natSearchInput}
            aria-describedby="nat-search-hint"
          />
        </div>
        <button type="submit">Search</button>
        <p id="nat-search-hint" className="muted">
          A service name (<span className="mono">namespace/name:port</span> or part of it), a VIP or endpoint
          address (or CIDR), a port; all words must match.
        </p>
      </form>

      {problem && subject.host === first.host ? (
        <p role="alert" className="error-text">
          {problem} Pick another host above, or collect this one from the fleet page.
        </p>
      ) : nat.error ? (
        <p role="alert" className="error-text">
          The flows of {shown} could not be loaded: {nat.error.message}. Pick another host or try again.
        </p>
      ) : !data ? (
        <p role="status">Analysing the NAT rules of {shown}…</p>
      ) : (
        <NatResult
          data={data}
          busy={nat.isPlaceholderData}
          onPage={(p) => navigate({ page: p })}
          onClear={() => navigate({ q: '', page: 1 })}
        />
      )}
    </div>
  );
}

function NatResult({
  data,
  busy,
  onPage,
  onClear,
}: {
  data: NatPage;
  busy: boolean;
  onPage: (page: number) => void;
  onClear: () => void;
}) {
  const s = data.summary;
  const shown = data.subject.pod ?? data.subject.host;
  const svgId = 'nat-diagram';
  return (
    <div aria-busy={busy}>
      <p className="lead" data-testid={testIds.natSummary}>
        {shown}: {plural(s.dnatFlows, 'DNAT flow')} ({plural(s.services, 'kube-proxy service')},{' '}
        {plural(s.endpoints, 'endpoint')}), {plural(s.snatFlows, 'SNAT flow')}
        {s.incomplete > 0 && `; ${countText(s.incomplete)} with shares that do not add up to 1`}.
      </p>
      <section aria-labelledby="nat-dnat-heading">
        <h2 id="nat-dnat-heading">
          DNAT: what is caught, and where it goes
          {data.q && (
            <>
              {' '}
              — {plural(data.matched, 'flow')} match{data.matched === 1 ? 'es' : ''} “{data.q}”{' '}
              <button type="button" className="link-button" onClick={onClear}>
                show all
              </button>
            </>
          )}
        </h2>
        {data.dnat.length === 0 ? (
          <p className="empty-state">
            {data.q
              ? 'No DNAT flow matches: try part of a service name, an address or a port.'
              : 'No DNAT rule on this namespace: nothing rewrites the destination of packets here.'}
          </p>
        ) : (
          <>
            <p className="muted nat__legend">
              Left: what a rule catches (<span className="mono">local</span> is any address of this host:
              NodePorts and host ports). Right: the endpoints, with their pod and node when the fleet knows
              the address. Each band is as wide as its share of new connections; dashed bands hold only for
              some packets or are not picked by a share.
            </p>
            <figure className="diagram-scroll">
              <NatDiagram
                flows={data.dnat}
                svgId={svgId}
                title={`DNAT flows of ${shown}, page ${data.page}`}
              />
              <figcaption>
                <DiagramExport targetId={svgId} fileName={`${fileSafe(shown)}-nat-page-${data.page}`} />
              </figcaption>
            </figure>
            <Pager
              page={data.page}
              pages={data.pages}
              label={`${countText(data.matched)} flow${data.matched === 1 ? '' : 's'}, ${data.pageSize} a page`}
              onPage={onPage}
            />
            <NatFlowList subject={data.subject} flows={data.dnat} />
          </>
        )}
      </section>
      <section aria-labelledby="nat-egress-heading">
        <h2 id="nat-egress-heading">SNAT and MASQUERADE: which sources leave as which address</h2>
        <NatEgressTable subject={data.subject} egress={data.egress} total={data.egressTotal} />
      </section>
    </div>
  );
}

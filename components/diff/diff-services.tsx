'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { diffQueries, type DiffPair } from '@/app/_data/diff-queries';
import type { Probability } from '@/lib/analyze/flow-model';
import type { DiffServiceEntry } from '@/lib/views/diff-services';
import { countText, plural } from '@/lib/views/format';
import { Pager } from '../chains/pager';
import { testIds } from '../test-ids';
import { Sign } from './diff-rows';
import { FilterField } from './filter-field';

/** kube-proxy services that changed, a page at a time: each endpoint with its share in A and in B. */

function share(p: Probability | null): string {
  if (!p) return '—';
  return p.fraction ? `${p.fraction} (${p.value.toPrecision(4)})` : p.value.toPrecision(4);
}

const changeSign = { added: '+', removed: '-', kept: null } as const;

function ServiceItem({ s }: { s: DiffServiceEntry }) {
  return (
    <li data-testid={testIds.diffService} data-service={s.service}>
      <h3 className="diff-service-name">
        <span className={`badge diff-status diff-status--${s.status}`}>{s.status}</span>{' '}
        <span className="mono">{s.service}</span>{' '}
        <span className="muted">
          ({s.mode}, {s.family})
        </span>
      </h3>
      {s.endpoints.length === 0 ? (
        <p className="muted">No endpoints on either side.</p>
      ) : (
        <table className="data-table diff-table">
          <caption className="visually-hidden">Endpoints of {s.service}</caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Change</span>
              </th>
              <th scope="col">Endpoint</th>
              <th scope="col">Share in A</th>
              <th scope="col">Share in B</th>
            </tr>
          </thead>
          <tbody>
            {s.endpoints.map((e) => {
              const sign = changeSign[e.change];
              const moved = sign === null && share(e.a) !== share(e.b);
              return (
                <tr
                  key={`${e.change}:${e.endpoint}`}
                  className={
                    sign === '+' ? 'diff-row--added' : sign === '-' ? 'diff-row--removed' : undefined
                  }
                >
                  <td className="diff-sign-cell">
                    {sign ? <Sign sign={sign} /> : moved ? <Sign sign="~" /> : null}
                  </td>
                  <td className="mono">{e.endpoint}</td>
                  <td className="mono">{share(e.a)}</td>
                  <td className="mono">{share(e.b)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </li>
  );
}

export function DiffServices({ pair }: { pair: DiffPair }) {
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const services = useQuery(diffQueries.services(pair, q, page));
  return (
    <section aria-labelledby="diff-services-heading" className="host-section">
      <h2 id="diff-services-heading">Services</h2>
      <div className="diff-filters">
        <FilterField
          id="diff-services-q"
          label="Service or endpoint holds"
          value={q}
          onChange={(v) => {
            setQ(v);
            setPage(1);
          }}
        />
      </div>
      {services.error ? (
        <p role="alert" className="error-text">
          {services.error.message}
        </p>
      ) : !services.data ? (
        <p role="status">Reading the services and their endpoint shares…</p>
      ) : services.data.total === 0 ? (
        <p className="muted">
          {q ? 'No changed service matches.' : 'No kube-proxy service or endpoint differs.'}
        </p>
      ) : (
        <>
          <Pager
            page={services.data.page}
            pages={services.data.pages}
            label={
              `${plural(services.data.total, 'service differs', 'services differ')}` +
              (services.data.sharesChanged
                ? ` (${countText(services.data.sharesChanged)} only in their endpoints' shares)`
                : '')
            }
            onPage={setPage}
            navLabel="Pages of services"
          />
          <p className="muted">
            Shares are of a new connection to the service&apos;s cluster IP, as the kernel applies the rules
            (exact fraction, then its value).
          </p>
          <ul className="diff-service-list">
            {services.data.services.map((s) => (
              <ServiceItem key={`${s.mode} ${s.family} ${s.service}`} s={s} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

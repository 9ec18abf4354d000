'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { getJson } from '@/app/_data/api-client';
import { TraceResult } from '@/lib/simulate/result';
import { TraceOptions } from '@/lib/simulate/trace-options';
import { DiagramExport } from '../diagram-export';
import { testIds } from '../test-ids';
import { PathDiagram } from './path-diagram';
import { StepThrough } from './step-through';
import type { TraceFormValues } from './trace-form';
import { TraceForm } from './trace-form';
import { PathColumn } from './trace-path';

/**
 * Life of a packet: the form, then every path the packet can take side by side with its
 * probability, a diagram of each, and a step-through mode. The query lives in the URL, so a link
 * reproduces it.
 */

const keys = ['from', 'entry', 'iface', 'src', 'dst', 'dport', 'proto', 'state', 'newClient'] as const;

function formFrom(params: URLSearchParams): TraceFormValues {
  return {
    from: params.get('from') ?? '',
    entry: (params.get('entry') as TraceFormValues['entry'] | null) ?? 'pod',
    iface: params.get('iface') ?? '',
    src: params.get('src') ?? '',
    dst: params.get('dst') ?? '',
    dport: params.get('dport') ?? '',
    proto: params.get('proto') ?? 'tcp',
    state: params.get('state') ?? 'new',
    newClient: params.get('newClient') === '1',
  };
}

export function TraceView({ scope }: { scope: 'store' | 'examples' }) {
  const router = useRouter();
  const params = useSearchParams();
  const [teaching, setTeaching] = useState(false);
  const query = new URLSearchParams();
  query.set('scope', scope);
  for (const k of keys) {
    const v = params.get(k);
    if (v) query.set(k, v);
  }
  const asked = params.has('from') && params.has('dst');
  const options = useQuery({
    queryKey: ['trace-options', scope],
    queryFn: ({ signal }) => getJson(`/api/trace/options?scope=${scope}`, TraceOptions, signal),
  });
  const result = useQuery({
    queryKey: ['trace', query.toString()],
    queryFn: ({ signal }) => getJson(`/api/trace?${query}`, TraceResult, signal),
    enabled: asked,
    retry: false,
  });
  const submit = (v: TraceFormValues) => {
    const q = new URLSearchParams();
    if (scope === 'examples') q.set('scope', 'examples');
    for (const k of keys) {
      const value = k === 'newClient' ? (v.newClient ? '1' : '') : v[k];
      if (value) q.set(k, value);
    }
    router.replace(`/trace?${q}`, { scroll: false });
  };

  if (options.isPending) return <p className="muted">Loading the hosts and services…</p>;
  if (options.error)
    return (
      <p role="alert" className="error-text">
        Could not load the hosts to trace from: {options.error.message}. Reload the page; if it persists, see
        the server log.
      </p>
    );
  if (options.data.sources.length === 0)
    return (
      <section className="empty-state">
        <h2>Nothing to trace through yet</h2>
        <p>Collect a host first (the fleet page&apos;s “Collect now”, or `packetlens collect`).</p>
      </section>
    );
  const r = result.data;
  return (
    <>
      <TraceForm
        key={params.toString()}
        options={options.data}
        initial={formFrom(params)}
        onSubmit={submit}
        busy={result.isFetching}
      />
      {result.error && (
        <p role="alert" className="error-text" data-testid={testIds.traceError}>
          {result.error.message}
        </p>
      )}
      {r && (
        <section className="trace-result" data-testid={testIds.traceResult} aria-label="Paths">
          <h2 className="lead">
            {r.query.proto} {r.resolved.src} → {r.resolved.dst}
            {r.resolved.dport !== null ? `:${r.resolved.dport}` : ''}
            {r.query.dst !== r.resolved.dst ? ` (${r.query.dst})` : ''} from {r.resolved.host}:{' '}
            {r.paths.length} path{r.paths.length === 1 ? '' : 's'}
          </h2>
          <div className="field field--check">
            <input
              id="trace-teach"
              type="checkbox"
              checked={teaching}
              onChange={(e) => setTeaching(e.target.checked)}
            />
            <label htmlFor="trace-teach">Step through, with what each hook, table and target does</label>
          </div>
          {teaching && r.paths[0] && <StepThrough path={r.paths[0]} />}
          {r.paths.map((p, i) => (
            <figure key={i} className="diagram-scroll">
              <PathDiagram path={p} id={`trace-diagram-${i}`} title={`Path ${i + 1} of the packet`} />
              <figcaption>
                Path {i + 1}: {(p.probability * 100).toFixed(1)}%, {p.disposition}
                <DiagramExport targetId={`trace-diagram-${i}`} fileName={`packetlens-trace-path-${i + 1}`} />
              </figcaption>
            </figure>
          ))}
          <div className="trace-paths">
            {r.paths.map((p, i) => (
              <PathColumn key={i} path={p} index={i} />
            ))}
          </div>
        </section>
      )}
    </>
  );
}

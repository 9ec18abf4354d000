import type { Subject } from './host-overview';

/** Addresses of the host pages and their API, built in one place so links and fetches agree. */

export type HostPage = 'overview' | 'chains';
export type Params = Record<string, string | number | null | undefined>;

function query(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function subjectParams(subject: Pick<Subject, 'pod' | 'snapshot'>): Params {
  return { pod: subject.pod, snapshot: subject.snapshot };
}

export function hostHref(
  subject: Pick<Subject, 'host' | 'pod' | 'snapshot'>,
  page: HostPage = 'overview',
  params: Params = {},
): string {
  const base = `/hosts/${encodeURIComponent(subject.host)}${page === 'overview' ? '' : `/${page}`}`;
  return base + query({ ...subjectParams(subject), ...params });
}

export function hostApi(subject: Subject, endpoint: string, params: Params = {}): string {
  return (
    `/api/hosts/${encodeURIComponent(subject.host)}/${endpoint}` +
    query({ ...subjectParams(subject), ...params })
  );
}

/** A link to a chain in the chains view; `focus` also shows it in the graph when its family is folded. */
export function chainHref(subject: Subject, table: string, chain: string, params: Params = {}): string {
  return hostHref(subject, 'chains', { table, chain, focus: chain, ...params });
}

/** The NAT view of a host (or pod), with its search and page: the view's shareable link. */
export function natHref(subject: Pick<Subject, 'host' | 'pod' | 'snapshot'>, params: Params = {}): string {
  return `/nat${query({ host: subject.host, ...subjectParams(subject), ...params })}`;
}

/** Life of a packet with its query filled in (the trace view's own parameters). */
export function traceHref(params: {
  scope: 'store' | 'examples';
  from: string;
  entry: string;
  dst: string;
  dport: number | null;
  proto: string;
}): string {
  const { scope, ...rest } = params;
  return `/trace${query({ scope: scope === 'examples' ? scope : null, ...rest })}`;
}

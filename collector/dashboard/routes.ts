import { z } from 'zod';
import type { Subject } from '../../lib/views/host-overview';
import { handled, jsonOk } from './http';
import { dashboard, type Dashboard } from './runtime';

/** Route handlers for the host pages share this: the subject from the path and query, JSON out. */

export const SubjectQuery = z.object({
  pod: z.string().min(1).max(200).optional(),
  snapshot: z.coerce.number().int().positive().optional(),
});

export interface HostRouteContext {
  params: Promise<{ host: string }>;
}

/** A host name from the path; Next.js hands over `example%3Anode-1` decoded or not depending on the caller. */
export function hostParam(raw: string): string {
  return /%[0-9a-f]{2}/i.test(raw) ? decodeURIComponent(raw) : raw;
}

export function subjectOf(host: string, query: z.infer<typeof SubjectQuery>): Subject {
  return { host: hostParam(host), pod: query.pod ?? null, snapshot: query.snapshot ?? null };
}

export function subjectGet(build: (d: Dashboard, subject: Subject, url: string) => unknown) {
  return (request: Request, ctx: HostRouteContext): Promise<Response> =>
    handled(async () => {
      const { host } = await ctx.params;
      const query = SubjectQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
      const subject = subjectOf(host, query.success ? query.data : {});
      if (!query.success) return jsonOk({ error: `pod or snapshot: ${query.error.issues[0]?.message}` }, 400);
      return jsonOk(build(await dashboard(), subject, request.url));
    });
}

export type SearchParams = Record<string, string | string[] | undefined>;

/** The first value of a search parameter, as pages receive them. */
export function param(sp: SearchParams, name: string): string | undefined {
  const v = sp[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A page's subject, or the reason its query cannot be read. */
export function pageSubject(host: string, sp: SearchParams): Subject | string {
  const query = SubjectQuery.safeParse({ pod: param(sp, 'pod'), snapshot: param(sp, 'snapshot') });
  if (!query.success) return `pod or snapshot: ${query.error.issues[0]?.message}`;
  return subjectOf(host, query.data);
}

import { DiffParams, diffSetOf } from '@/collector/dashboard/diff';
import { handled, jsonOk, queryParse } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';
import { DiffSetQuery } from '@/lib/views/diff-view';

export const dynamic = 'force-dynamic';

/** GET: a page of one nft set's or map's elements added and removed (`&n=&set=&page=`). */
export function GET(request: Request): Promise<Response> {
  return handled(async () => {
    const q = queryParse(DiffParams.extend(DiffSetQuery.shape), request.url);
    return jsonOk(diffSetOf(await dashboard(), q, q));
  });
}

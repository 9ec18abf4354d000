import { DiffParams, diffChainsOf } from '@/collector/dashboard/diff';
import { handled, jsonOk, queryParse } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';
import { DiffChainQuery } from '@/lib/views/diff-view';

export const dynamic = 'force-dynamic';

/** GET: a page of the changed chains, with counts (`&table=&q=&page=`). */
export function GET(request: Request): Promise<Response> {
  return handled(async () => {
    const q = queryParse(DiffParams.extend(DiffChainQuery.shape), request.url);
    return jsonOk(diffChainsOf(await dashboard(), q, q));
  });
}

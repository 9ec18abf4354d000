import { DiffParams, diffServicesOf } from '@/collector/dashboard/diff';
import { handled, jsonOk, queryParse } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';
import { DiffServiceQuery } from '@/lib/views/diff-services';

export const dynamic = 'force-dynamic';

/** GET: a page of the kube-proxy services that changed, with endpoint shares on both sides (`&q=&page=`). */
export function GET(request: Request): Promise<Response> {
  return handled(async () => {
    const q = queryParse(DiffParams.extend(DiffServiceQuery.shape), request.url);
    return jsonOk(diffServicesOf(await dashboard(), q, q));
  });
}

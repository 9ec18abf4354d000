import { handled, jsonOk, queryParse } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';
import {
  WarningsQuery,
  clusterWarningsOf,
  hostWarningsOf,
  warningsIndexOf,
} from '@/collector/dashboard/warnings';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return handled(async () => {
    const q = queryParse(WarningsQuery, request.url);
    const d = await dashboard();
    if (q.host !== undefined) return jsonOk(hostWarningsOf(d, q.host));
    if (q.cluster !== undefined) return jsonOk(clusterWarningsOf(d, q.scope, q.cluster || null));
    return jsonOk(warningsIndexOf(d));
  });
}

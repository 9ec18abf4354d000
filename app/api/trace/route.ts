import { handled, jsonOk, queryParse } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';
import { TraceParams, traceRun } from '@/collector/dashboard/trace';

export const dynamic = 'force-dynamic';

/** GET: tracing changes nothing, and the query string is the view's shareable link. */
export function GET(request: Request): Promise<Response> {
  return handled(async () => jsonOk(traceRun(await dashboard(), queryParse(TraceParams, request.url))));
}

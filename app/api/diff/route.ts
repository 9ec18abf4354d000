import { DiffParams, diffSummaryOf } from '@/collector/dashboard/diff';
import { handled, jsonOk, queryParse } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';

export const dynamic = 'force-dynamic';

/** GET `?a=HOST[/POD][@SNAPSHOT]&b=…`: the summary; the view's own link has the same query. */
export function GET(request: Request): Promise<Response> {
  return handled(async () => jsonOk(diffSummaryOf(await dashboard(), queryParse(DiffParams, request.url))));
}

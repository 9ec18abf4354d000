import { DiffParams, diffRulesOf } from '@/collector/dashboard/diff';
import { handled, jsonOk, queryParse } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';
import { DiffRuleQuery } from '@/lib/views/diff-view';

export const dynamic = 'force-dynamic';

/** GET: a page of one changed chain's rules (`&n=&chain=&page=`). */
export function GET(request: Request): Promise<Response> {
  return handled(async () => {
    const q = queryParse(DiffParams.extend(DiffRuleQuery.shape), request.url);
    return jsonOk(diffRulesOf(await dashboard(), q, q));
  });
}

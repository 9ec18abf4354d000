import { z } from 'zod';
import { handled, jsonOk, queryParse } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';
import { TraceScope, traceOptionsOf } from '@/collector/dashboard/trace';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return handled(async () => {
    const { scope } = queryParse(z.object({ scope: TraceScope.default('store') }), request.url);
    return jsonOk(traceOptionsOf(await dashboard(), scope));
  });
}

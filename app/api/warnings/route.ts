import { handled, jsonOk, queryParse } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';
import { WarningsQuery, warningsOf } from '@/collector/dashboard/warnings';

export const dynamic = 'force-dynamic';

/** `?host=NAME` (`&cluster=NAME` checks it), `?cluster=NAME` (empty: hosts without one; `&scope=examples`), or the list. */
export function GET(request: Request): Promise<Response> {
  return handled(async () =>
    jsonOk(warningsOf(await dashboard(), queryParse(WarningsQuery, request.url)).data),
  );
}

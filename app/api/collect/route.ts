import { csrfCheck, handled, jsonBody, jsonOk } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';

export const dynamic = 'force-dynamic';

/** Progress of the current (or last) collection run. */
export function GET(): Promise<Response> {
  return handled(async () => jsonOk((await dashboard()).collection.status()));
}

/** Collect now: starts a run, or joins the one going on. The body carries nothing; it is bounded anyway. */
export function POST(request: Request): Promise<Response> {
  return handled(async () => {
    csrfCheck(request);
    await jsonBody(request, 1024);
    const d = await dashboard();
    const status = d.collection.status();
    if (status.mode === 'off' || status.targets === 0) {
      return jsonOk({ error: status.problem ?? 'nothing to collect' }, 409);
    }
    return jsonOk(d.collection.collectNow(), 202);
  });
}

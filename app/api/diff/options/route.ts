import { diffOptionsOf } from '@/collector/dashboard/diff';
import { handled, jsonOk } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';

export const dynamic = 'force-dynamic';

/** GET: the hosts that can be compared, with their pods and stored snapshots. */
export function GET(): Promise<Response> {
  return handled(async () => jsonOk(diffOptionsOf(await dashboard())));
}

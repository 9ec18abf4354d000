import { fleetBuild } from '@/collector/dashboard/fleet';
import { handled, jsonOk } from '@/collector/dashboard/http';
import { dashboard } from '@/collector/dashboard/runtime';

export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return handled(async () => jsonOk(fleetBuild(await dashboard())));
}

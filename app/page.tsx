import { Suspense } from 'react';
import { fleetBuild } from '@/collector/dashboard/fleet';
import { dashboard } from '@/collector/dashboard/runtime';
import { StoreError } from '@/collector/store/store-error';
import { FleetView } from '@/components/fleet/fleet-view';
import { StoreProblem } from '@/components/store-problem';
import { testIds } from '@/components/test-ids';
import type { Fleet } from '@/lib/views/fleet';

export const dynamic = 'force-dynamic';

export default async function FleetPage() {
  const d = await dashboard();
  let fleet: Fleet | null = null;
  let problem: string | null = null;
  try {
    fleet = fleetBuild(d);
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    problem = e.message;
  }
  return (
    <>
      <h1 data-testid={testIds.homeHeading}>Fleet</h1>
      <p className="lead">
        What the kernel does with a packet on each host: its netfilter rules, NAT and routing exactly as the
        kernel reports them. Open a host for its pipeline and chains.
      </p>
      <Suspense>{fleet ? <FleetView initial={fleet} /> : <StoreProblem message={problem ?? ''} />}</Suspense>
    </>
  );
}

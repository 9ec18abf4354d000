import type { Metadata } from 'next';
import { ComingSoon } from '@/components/coming-soon';

export const metadata: Metadata = { title: 'Warnings & growth' };

export default function WarningsPage() {
  return (
    <ComingSoon title="Warnings & growth" needs="analyses">
      <p>
        This view will list each host&apos;s warnings (rule counts, the longest chain, the KUBE-SERVICES scan,
        restore size, both iptables backends in use, …) with their numbers, thresholds and sources, and chart
        rules, services and the longest chain over time with the projected date each threshold is crossed.
        Warnings and their thresholds come from the analyses (<code>packetlens warnings</code>), which are not
        part of this build yet.
      </p>
      <p>Meanwhile the fleet shows each host&apos;s rule count over its stored collections.</p>
    </ComingSoon>
  );
}

import type { Metadata } from 'next';
import { ComingSoon } from '@/components/coming-soon';

export const metadata: Metadata = { title: 'Life of a packet' };

export default function TracePage() {
  return (
    <ComingSoon title="Life of a packet" needs="simulator">
      <p>
        This view will walk a packet from a source (a pod, an address, the host itself) to a destination (a
        service by name, an address and port) hook by hook and chain by chain, with the rule that matched at
        each step, the NAT rewrites and the routing decision, across nodes and back. The walk is the
        simulator&apos;s (<code>packetlens trace</code>), which is not part of this build yet; packetlens
        shows no path rather than a guessed one.
      </p>
      <p>
        Meanwhile each host&apos;s overview draws its netfilter pipeline with every table and chain at each
        hook in priority order.
      </p>
    </ComingSoon>
  );
}

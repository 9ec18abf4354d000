import type { Metadata } from 'next';
import { ComingSoon } from '@/components/coming-soon';

export const metadata: Metadata = { title: 'NAT' };

export default function NatPage() {
  return (
    <ComingSoon title="NAT flows" needs="analyses">
      <p>
        This view will draw DNAT flows from what is caught (VIP and port, NodePort, host port) to the
        endpoints with their probabilities, and which sources leave by which interface as which address
        (MASQUERADE, SNAT). Those flows come from the analyses (<code>packetlens flows</code>), which are not
        part of this build yet.
      </p>
      <p>
        Meanwhile the chains view of a host shows every DNAT and MASQUERADE rule exactly as the kernel has it;
        search for a service address or port there.
      </p>
    </ComingSoon>
  );
}

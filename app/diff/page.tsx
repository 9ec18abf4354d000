import type { Metadata } from 'next';
import { ComingSoon } from '@/components/coming-soon';

export const metadata: Metadata = { title: 'Diff' };

export default function DiffPage() {
  return (
    <ComingSoon title="Diff" needs="analyses">
      <p>
        This view will compare two snapshots of one host (what changed since yesterday) or two hosts (why does
        one node behave differently): rules added, removed and moved per chain, services and endpoints,
        routes. The diff is computed by the analyses (<code>packetlens diff</code>), which are not part of
        this build yet, so nothing is shown rather than a guess.
      </p>
    </ComingSoon>
  );
}

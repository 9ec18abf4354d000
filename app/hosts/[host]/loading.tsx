import { testIds } from '@/components/test-ids';

export default function HostLoading() {
  return (
    <p role="status" aria-live="polite" className="muted" data-testid={testIds.routeLoading}>
      Loading the host… The first visit of a host with a large rule set reads it from the store, which takes a
      few seconds.
    </p>
  );
}

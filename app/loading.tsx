import { testIds } from '@/components/test-ids';

export default function Loading() {
  return (
    <p role="status" aria-live="polite" className="muted" data-testid={testIds.routeLoading}>
      Loading…
    </p>
  );
}

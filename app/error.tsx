'use client';

import { useEffect } from 'react';
import { testIds } from '@/components/test-ids';

type RouteErrorProps = {
  /** Whatever was thrown; errors from Server Components arrive as Error with only a digest. */
  error: unknown;
  /** Re-fetches and re-renders the segment, for errors that may be temporary. */
  retry: () => void;
};

export default function RouteError({ error, retry }: RouteErrorProps) {
  useEffect(() => {
    // Keep the original error in the browser console for whoever is debugging.
    console.error(error);
  }, [error]);

  // Production hides server error messages; the digest matches the server log line.
  const digest = error instanceof Error && 'digest' in error ? String(error.digest) : undefined;

  return (
    <section role="alert" aria-labelledby="route-error-heading" data-testid={testIds.routeError}>
      <h1 id="route-error-heading">Something went wrong</h1>
      <p>This page could not be shown.{digest ? ` Server log reference: ${digest}.` : ''}</p>
      <button type="button" onClick={() => retry()}>
        Try again
      </button>
    </section>
  );
}

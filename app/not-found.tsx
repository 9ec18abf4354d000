import Link from 'next/link';
import { testIds } from '@/components/test-ids';

export default function NotFound() {
  return (
    <section aria-labelledby="not-found-heading" data-testid={testIds.notFound}>
      <h1 id="not-found-heading">Page not found</h1>
      <p>There is no page at this address.</p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}

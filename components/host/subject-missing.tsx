import Link from 'next/link';
import { testIds } from '../test-ids';

/** A host, pod or snapshot that is not there: which one, and where to go instead. */
export function SubjectMissing({ message }: { message: string }) {
  return (
    <section className="empty-state" aria-labelledby="subject-missing-heading" data-testid={testIds.notFound}>
      <h1 id="subject-missing-heading">Nothing to show here</h1>
      <p>{message}</p>
      <p>
        Go back to the <Link href="/">fleet</Link> to pick a host, or <Link href="/import">import</Link> a
        dump.
      </p>
    </section>
  );
}

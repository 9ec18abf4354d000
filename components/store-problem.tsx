import { testIds } from './test-ids';

/** The page when the store cannot be read: which file, why, and what to do. */
export function StoreProblem({ message }: { message: string }) {
  return (
    <section
      role="alert"
      className="empty-state"
      aria-labelledby="store-problem-heading"
      data-testid={testIds.routeError}
    >
      <h2 id="store-problem-heading">The store cannot be read</h2>
      <p className="mono">{message}</p>
      <p>
        Check that the file exists and that the server may read it, or point <code>PACKETLENS_DB</code> at
        another store and restart the server.
      </p>
    </section>
  );
}

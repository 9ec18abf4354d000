import type { Diagnostic } from '../../lib/model/snapshot';
import { diagnostic } from '../../lib/snapshot/build';

/**
 * A host that is not the machine's root namespace (a lab node, a host inside a container that
 * shares the machine's /proc) sees every namespace of the machine, and most are not its own. The
 * diagnostic naming them is about the machine, not the host: other people's namespaces come and go
 * between two collections of an unchanged host. Its origin marks it, so that the store keeps its
 * message per observation rather than in the content hash (store/snapshot-content.ts).
 */
export const otherNamespacesOrigin = '/var/run/netns/*, /proc/*/ns/net';

/** `others`: how each namespace is called (`node-b`, `pid 91`), in the order they were found. */
export function otherNamespacesDiagnostic(others: readonly string[]): Diagnostic {
  return diagnostic(
    'info',
    `${others.length} other network namespace(s) on this machine have no veth into this host and are not counted as its pods: ${others.join(', ')}`,
    otherNamespacesOrigin,
  );
}

import type { Subject } from './host-overview';

/**
 * One side of a comparison as the Diff view's address writes it: `HOST` (its latest snapshot),
 * `HOST@ID` (the store's snapshot ID), `HOST/POD`, `HOST/POD@ID`. Host names never hold `/` or `@`
 * (inventory names, `example:` and `import:` names), while a pod's name may hold `/`
 * (`namespace/name`): the host ends at the first `/`, and a trailing `@digits` is the snapshot.
 */

export function diffRefParse(ref: string): Subject | { error: string } {
  const at = /@(\d+)$/.exec(ref);
  const body = at ? ref.slice(0, at.index) : ref;
  const slash = body.indexOf('/');
  const host = slash < 0 ? body : body.slice(0, slash);
  const pod = slash < 0 ? null : body.slice(slash + 1);
  const snapshot = at ? Number(at[1]) : null;
  if (!host) return { error: `'${ref}': name a host, as HOST, HOST@SNAPSHOT or HOST/POD@SNAPSHOT` };
  if (pod === '') return { error: `'${ref}': the pod's name is missing after '/'` };
  if (host.length > 200 || (pod?.length ?? 0) > 200) return { error: `'${ref.slice(0, 40)}…': too long` };
  if (snapshot !== null && (!Number.isSafeInteger(snapshot) || snapshot < 1))
    return { error: `'${ref}': a snapshot is a positive number` };
  return { host, pod, snapshot };
}

export function diffRefText(s: Pick<Subject, 'host' | 'pod' | 'snapshot'>): string {
  return `${s.host}${s.pod !== null ? `/${s.pod}` : ''}${s.snapshot !== null ? `@${s.snapshot}` : ''}`;
}

/** The Diff view comparing A with B. */
export function diffHref(
  a: Pick<Subject, 'host' | 'pod' | 'snapshot'>,
  b: Pick<Subject, 'host' | 'pod' | 'snapshot'>,
): string {
  return `/diff?${new URLSearchParams({ a: diffRefText(a), b: diffRefText(b) })}`;
}

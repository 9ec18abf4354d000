import type { SshOptions } from './ssh';
import { sshConnect } from './ssh';
import type { ResolvedSshHost } from '../inventory/inventory';
import type { Execer } from './transport';
import { TransportError } from './transport';

/** Shared by the SSH transport's tests against ssh2 servers and against OpenSSH's sshd. */

/** Known keys only, nothing recorded, no agent from the environment. */
export const strict: SshOptions = { ownKnownHosts: null, acceptNew: false, env: {} };

/** The TransportError a promise rejects with; anything else fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<TransportError> {
  const outcome = await promise.then(
    (value) => value,
    (e: unknown) => e,
  );
  if (!(outcome instanceof TransportError))
    throw new Error(`expected a TransportError, got ${String(outcome)}`);
  return outcome;
}

export async function withSsh<T>(
  target: ResolvedSshHost,
  options: SshOptions,
  fn: (ssh: Execer) => Promise<T>,
) {
  const ssh = await sshConnect(target, options);
  try {
    return await fn(ssh);
  } finally {
    await ssh.close();
  }
}

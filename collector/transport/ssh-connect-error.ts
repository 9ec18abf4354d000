import type { TransportErrorKind } from './transport';

/** ssh2 tags its errors with a level: where in the connection they happened. */
type Ssh2Error = Error & { level?: string; code?: string };

const socketReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is sshd running and listening on that port?)',
  ECONNRESET: 'connection reset by the host',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'TCP connection timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
};

/** The kind and words for an error ssh2 raised while connecting; host-key refusals are found before this. */
export function sshConnectErrorDescribe(
  error: Error,
  facts: { readyTimeoutMs: number; user: string; auth: string },
): { kind: TransportErrorKind; detail: string } {
  const { level, code } = error as Ssh2Error;
  switch (level) {
    case 'client-socket':
      return { kind: 'unreachable', detail: (code && socketReasons[code]) ?? error.message };
    case 'client-dns':
      return { kind: 'unreachable', detail: error.message };
    case 'client-timeout':
      return /keepalive/i.test(error.message)
        ? { kind: 'unreachable', detail: 'no answer to SSH keepalives' }
        : { kind: 'unreachable', detail: `no SSH login within ${facts.readyTimeoutMs} ms (connect timeout)` };
    case 'client-authentication':
      return { kind: 'auth', detail: `authentication refused for user ${facts.user} with ${facts.auth}` };
    case 'agent':
      return { kind: 'auth', detail: `ssh-agent failed: ${error.message}` };
    default:
      return { kind: 'unreachable', detail: `SSH connection failed: ${error.message}` };
  }
}

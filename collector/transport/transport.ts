/**
 * The one way the collector talks to a host: run a shell script there and get its output back.
 * SSH and local transports implement it; unit tests of callers may use a fake.
 */

export interface ExecOptions {
  /** The script is stopped and the call fails with kind 'timeout' after this long. */
  timeoutMs: number;
  /** Written to the script's standard input, then closed; without it stdin is empty. */
  stdin?: Buffer;
}

export interface ExecResult {
  /** Bytes as the script wrote them: it may be gzip. */
  stdout: Buffer;
  /** At most 1 MiB of text; a longer stderr ends with a line saying how much was cut. */
  stderr: string;
  /** Exit status, or null when a signal ended the script (or the server did not say). */
  code: number | null;
  /** Signal name without `SIG` (`KILL`), or null. */
  signal: string | null;
}

export interface Execer {
  /** The inventory name of the host, for messages. */
  readonly host: string;
  /** Runs POSIX shell text: through `bash -c` locally, as the remote login shell runs it over SSH. */
  exec(script: string, opts: ExecOptions): Promise<ExecResult>;
  /** Ends the connection; running scripts are stopped. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Why a host failed. The transports raise unreachable, auth, host-key and timeout; exit, truncated
 * and permission are for callers that judge a finished script (non-zero exit, framing cut short,
 * `Permission denied` without sudo), so that every per-host failure has one type.
 */
export type TransportErrorKind =
  'unreachable' | 'auth' | 'host-key' | 'timeout' | 'exit' | 'truncated' | 'permission';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: TransportErrorKind,
    readonly host: string,
    /** What went wrong, without the host name; `message` is `host: detail`. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${host}: ${detail}`, options);
  }
}

import { SectionsError } from '../commands/parse-sections';
import type { HostFailure } from '../store/store';
import { TransportError } from '../transport/transport';

/** A failure judged in a parser thread, whose error classes do not cross: its record as it was. */
export class HostFailureError extends Error {
  override readonly name = 'HostFailureError';
  constructor(readonly failure: HostFailure) {
    super(failure.message);
  }
}

/** The store's failure record for whatever collecting a host threw. */
export function failureOf(error: unknown): HostFailure {
  if (error instanceof HostFailureError) return error.failure;
  if (error instanceof TransportError) return { kind: error.kind, message: error.message };
  if (error instanceof SectionsError) return { kind: error.kind, message: error.message };
  return { kind: 'exit', message: error instanceof Error ? error.message : String(error) };
}

/** Failures that may pass on a second try; refusals (auth, host key, permission) do not. */
export function failureRetryable(error: unknown): boolean {
  const kind = failureOf(error).kind;
  return kind === 'unreachable' || kind === 'timeout' || kind === 'truncated';
}

import { ParseError } from '../../lib/parse/parse-error';
import { InventoryError } from '../inventory/inventory-error';
import { HostResolveError } from '../inventory/inventory';
import { StoreError } from '../store/store-error';

/** A user error: bad flags or bad input. Printed as one line; never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** One line for the terminal, and the exit code that goes with it. */
export function describeError(command: string, e: unknown): { line: string; code: number } {
  if (e instanceof CliError) return { line: `packetlens ${command}: ${e.message}`, code: e.exitCode };
  if (e instanceof ParseError || e instanceof HostResolveError || e instanceof StoreError) {
    return { line: `packetlens ${command}: ${e.message}`, code: 1 };
  }
  if (e instanceof InventoryError) {
    // One line: the first problem, and how many more the file has.
    const [first, ...more] = e.message.split('\n');
    return {
      line: `packetlens ${command}: ${first}${more.length ? ` (and ${more.length} more)` : ''}`,
      code: 1,
    };
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object' && err.code && err.path) {
    const what =
      err.code === 'ENOENT'
        ? 'no such file'
        : err.code === 'EACCES'
          ? 'permission denied'
          : err.code === 'EISDIR'
            ? 'is a directory'
            : err.code;
    return { line: `packetlens ${command}: ${err.path}: ${what}`, code: 1 };
  }
  return {
    line: `packetlens ${command}: internal error: ${err instanceof Error ? err.message : String(err)}`,
    code: 70,
  };
}

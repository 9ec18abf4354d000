/** A store that cannot be opened or read: always names the file, so the user knows which one. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`store ${file}: ${reason}`, options);
  }
}

/** Any failure as a StoreError naming `file` (a StoreError passes through). */
function storeErrorOf(file: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new StoreError(file, message, { cause: e });
}

/** Wraps any failure of `fn` in a StoreError naming `file`. */
export function storeGuard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw storeErrorOf(file, e);
  }
}

/** storeGuard for work that awaits (compression in the thread pool). */
export async function storeGuardAsync<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw storeErrorOf(file, e);
  }
}

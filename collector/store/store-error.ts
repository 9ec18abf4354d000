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

/** Wraps any failure of `fn` in a StoreError naming `file` (a StoreError passes through). */
export function storeGuard<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof StoreError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new StoreError(file, message, { cause: e });
  }
}

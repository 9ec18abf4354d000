/** At most `size` of the calls given to the limiter run at once; the others wait in call order. */
export function concurrencyLimit(size: number): <T>(fn: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`concurrency must be a positive integer, not ${size}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next caller, so none can overtake it.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

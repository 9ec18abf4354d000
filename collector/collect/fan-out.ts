/**
 * Runs one task per item with at most `concurrency` at once, retrying a failed task with
 * exponential backoff while `retryable` says the failure may pass. One item's failure never stops
 * the others; every item ends with a result.
 */
export interface FanOutOptions<T> {
  concurrency: number;
  /** Extra attempts after the first. */
  retries: number;
  /** Delay before the first retry; doubled for each further one. */
  backoffMs: number;
  retryable: (error: unknown) => boolean;
  /** Called after each item finishes, with how many have finished so far. */
  onProgress?: (done: number, total: number, item: T) => void;
  sleep?: (ms: number) => Promise<void>;
}

export type FanOutResult<T, R> =
  | { item: T; ok: true; value: R; attempts: number }
  | { item: T; ok: false; error: unknown; attempts: number };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function fanOut<T, R>(
  items: readonly T[],
  task: (item: T, attempt: number) => Promise<R>,
  opts: FanOutOptions<T>,
): Promise<FanOutResult<T, R>[]> {
  const results: FanOutResult<T, R>[] = new Array(items.length);
  const sleep = opts.sleep ?? realSleep;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index]!;
      results[index] = await attemptAll(item, task, opts, sleep);
      opts.onProgress?.(++done, items.length, item);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}

async function attemptAll<T, R>(
  item: T,
  task: (item: T, attempt: number) => Promise<R>,
  opts: FanOutOptions<T>,
  sleep: (ms: number) => Promise<void>,
): Promise<FanOutResult<T, R>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { item, ok: true, value: await task(item, attempt), attempts: attempt };
    } catch (error) {
      if (attempt > opts.retries || !opts.retryable(error))
        return { item, ok: false, error, attempts: attempt };
      await sleep(opts.backoffMs * 2 ** (attempt - 1));
    }
  }
}

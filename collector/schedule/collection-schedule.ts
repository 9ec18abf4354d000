/**
 * Runs a collection now and then every `everyMinutes`, never two at once: asking for a run while
 * one is going joins that run instead of starting a second one against the same hosts.
 */
export interface CollectionSchedule<R> {
  /** Starts a run now, or returns the one in progress. */
  runNow(): Promise<R>;
  stop(): void;
}

export interface ScheduleOptions<R> {
  everyMinutes: number;
  run: () => Promise<R>;
  /** Told about a run that threw, so that one bad run never stops the schedule. */
  onError?: (error: unknown) => void;
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
}

const realTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

export function collectionSchedule<R>(opts: ScheduleOptions<R>): CollectionSchedule<R> {
  const setTimer = opts.setTimer ?? realTimer;
  let current: Promise<R> | null = null;
  let timer: { cancel(): void } | null = null;
  let stopped = false;

  const runNow = (): Promise<R> => {
    if (current) return current;
    current = opts.run().finally(() => {
      current = null;
    });
    current.catch((e: unknown) => opts.onError?.(e));
    return current;
  };
  const tick = () => {
    if (stopped) return;
    void runNow().catch(() => {});
    timer = setTimer(tick, opts.everyMinutes * 60_000);
  };
  tick();
  return {
    runNow,
    stop: () => {
      stopped = true;
      timer?.cancel();
    },
  };
}

import { describe, expect, it } from 'vitest';
import { collectionSchedule } from './collection-schedule';

function manualTimers() {
  const pending: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  return {
    pending,
    setTimer: (fn: () => void, ms: number) => {
      const t = { fn, ms, cancelled: false };
      pending.push(t);
      return { cancel: () => (t.cancelled = true) };
    },
    fire: () => {
      const t = pending.shift()!;
      if (!t.cancelled) t.fn();
    },
  };
}

describe('collectionSchedule', () => {
  it('runs at once, then every interval, and never two runs at the same time', async () => {
    const timers = manualTimers();
    let runs = 0;
    let release!: () => void;
    const schedule = collectionSchedule({
      everyMinutes: 5,
      run: () => {
        runs++;
        return new Promise<number>((r) => (release = () => r(runs)));
      },
      setTimer: timers.setTimer,
    });
    expect(runs).toBe(1);
    expect(timers.pending[0]!.ms).toBe(300_000);
    const joined = schedule.runNow(); // "collect now" while the scheduled run goes on
    expect(runs).toBe(1);
    release();
    expect(await joined).toBe(1);
    timers.fire();
    expect(runs).toBe(2);
    release();
    schedule.stop();
    expect(timers.pending.every((t) => t.cancelled)).toBe(true);
  });

  it('keeps going after a run that failed', async () => {
    const timers = manualTimers();
    const errors: unknown[] = [];
    let runs = 0;
    collectionSchedule({
      everyMinutes: 1,
      run: async () => {
        runs++;
        throw new Error('store locked');
      },
      onError: (e) => errors.push(e),
      setTimer: timers.setTimer,
    });
    await new Promise((r) => setTimeout(r, 0));
    timers.fire();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
    expect(errors.map((e) => (e as Error).message)).toEqual(['store locked', 'store locked']);
  });
});

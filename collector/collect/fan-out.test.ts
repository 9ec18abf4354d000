import { describe, expect, it } from 'vitest';
import { fanOut } from './fan-out';

const noSleep = async () => {};

describe('fanOut', () => {
  it('never runs more than the concurrency limit at once and keeps results in order', async () => {
    let running = 0;
    let peak = 0;
    const items = Array.from({ length: 40 }, (_, i) => i);
    const results = await fanOut(
      items,
      async (i) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        running--;
        return i * 2;
      },
      { concurrency: 16, retries: 0, backoffMs: 0, retryable: () => false },
    );
    expect(peak).toBe(16);
    expect(results.map((r) => (r.ok ? r.value : null))).toEqual(items.map((i) => i * 2));
  });

  it('retries passing failures with doubling backoff, and not lasting ones', async () => {
    const sleeps: number[] = [];
    const attempts = new Map<string, number>();
    const results = await fanOut(
      ['flaky', 'refused', 'down'],
      async (host, attempt) => {
        attempts.set(host, attempt);
        if (host === 'flaky' && attempt < 3) throw new Error('timeout');
        if (host === 'refused') throw new Error('auth');
        if (host === 'down') throw new Error('timeout');
        return 'ok';
      },
      {
        concurrency: 1,
        retries: 2,
        backoffMs: 100,
        retryable: (e) => (e as Error).message === 'timeout',
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    );
    expect(results.map((r) => [r.item, r.ok, r.attempts])).toEqual([
      ['flaky', true, 3],
      ['refused', false, 1],
      ['down', false, 3],
    ]);
    expect(sleeps).toEqual([100, 200, 100, 200]);
  });

  it('reports progress after each item', async () => {
    const seen: string[] = [];
    await fanOut([1, 2, 3], async () => 0, {
      concurrency: 2,
      retries: 0,
      backoffMs: 0,
      retryable: () => false,
      sleep: noSleep,
      onProgress: (done, total) => seen.push(`${done}/${total}`),
    });
    expect(seen).toEqual(['1/3', '2/3', '3/3']);
  });
});

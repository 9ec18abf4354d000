import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from './limiter';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('concurrencyLimit', () => {
  it('runs at most `size` calls at once, the others in call order', async () => {
    const limit = concurrencyLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const calls = Array.from({ length: 7 }, (_, i) =>
      limit(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await tick();
        running--;
        return i * 10;
      }),
    );
    expect(await Promise.all(calls)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('frees the slot of a call that fails', async () => {
    const limit = concurrencyLimit(1);
    const failed = limit(() => Promise.reject(new Error('unreachable')));
    const next = limit(() => Promise.resolve('ok'));
    await expect(failed).rejects.toThrow('unreachable');
    expect(await next).toBe('ok');
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => concurrencyLimit(0)).toThrow('concurrency must be a positive integer, not 0');
  });
});

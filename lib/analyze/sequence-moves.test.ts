import { describe, expect, it } from 'vitest';
import { movedIndexes } from './sequence-moves';

describe('movedIndexes', () => {
  it('nothing moved in order, one element taken to the front', () => {
    expect([...movedIndexes([0, 1, 2, 3])]).toEqual([]);
    // old order a b c d; new order d a b c: d (old index 3, new position 0) moved.
    expect([...movedIndexes([1, 2, 3, 0])]).toEqual([3]);
  });

  it('a swap moves one of the two; gaps from insertions do not count as moves', () => {
    expect(movedIndexes([1, 0]).size).toBe(1);
    expect([...movedIndexes([0, 2, 5, 9])]).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { growthSample, labelChoices, labelsMatch } from './fleet';
import { sparkline } from './sparkline';

describe('fleet helpers', () => {
  it('samples a long history evenly, keeping the first and the last collection', () => {
    const points = Array.from({ length: 1000 }, (_, i) => i);
    const sample = growthSample(points, 5);
    expect(sample).toEqual([0, 250, 500, 749, 999]);
    expect(growthSample([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });

  it('matches hosts having every label filter', () => {
    const labels = { cluster: 'prod', role: 'worker' };
    expect(labelsMatch(labels, ['cluster=prod'])).toBe(true);
    expect(labelsMatch(labels, ['cluster=prod', 'role=worker'])).toBe(true);
    expect(labelsMatch(labels, ['cluster=prod', 'role=control-plane'])).toBe(false);
    expect(labelsMatch(labels, ['nonsense'])).toBe(false);
    expect(labelChoices([{ labels }, { labels: { cluster: 'lab' } }])).toEqual([
      'cluster=lab',
      'cluster=prod',
      'role=worker',
    ]);
  });

  it('draws the growth line from the oldest to the newest collection, higher counts higher up', () => {
    const line = sparkline([
      { at: '2026-01-01T00:00:00Z', rules: 100 },
      { at: '2026-01-02T00:00:00Z', rules: 300 },
    ])!;
    expect(line.path).toMatch(/^M3,25L117,3$/);
    expect([line.min, line.max]).toEqual([100, 300]);
    expect(sparkline([])).toBeNull();
    // One collection: a dot in the middle, not on an edge.
    expect(sparkline([{ at: '2026-01-01T00:00:00Z', rules: 5 }])!.lastY).toBe(14);
  });
});

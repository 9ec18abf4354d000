import { describe, expect, it } from 'vitest';
import type { GrowthPoint } from './growth';
import { groupGrowth, hostGrowth } from './growth';

const day = (d: number) => new Date(Date.UTC(2026, 10, 1 + d)).toISOString();

function point(d: number, rules: number, extra: Partial<GrowthPoint> = {}): GrowthPoint {
  return {
    collectedAt: day(d),
    runId: d,
    rulesTotal: rules,
    services: null,
    endpoints: null,
    byTable: { 'ip/nat': rules - 100, 'ip/filter': 100 },
    longestChain: { rules: Math.floor(rules / 10) },
    ...extra,
  };
}

describe('growth', () => {
  it('a host growing by 1,000 rules a day crosses 150,000 rules 40 days after it reached 110,000', () => {
    const g = hostGrowth('node-1', [point(0, 100000), point(5, 105000), point(10, 110000)]);
    const rules = g.metrics.find((m) => m.metric === 'rules')!;
    expect(rules.perDay).toBeCloseTo(1000, 9);
    expect(rules.latest).toBe(110000);
    expect(rules.crossings).toEqual([
      {
        threshold: 'host-rules',
        severity: 'warning',
        level: 150000,
        crossedAt: null,
        projectedAt: day(50),
        inDays: 40,
      },
    ]);
    // The nat table passed 100,000 on day 5 (104,900): crossed, not projected.
    const table = g.metrics.find((m) => m.metric === 'largest-table')!;
    expect(table.crossings).toEqual([
      {
        threshold: 'table-rules',
        severity: 'warning',
        level: 100000,
        crossedAt: day(5),
        projectedAt: null,
        inDays: null,
      },
    ]);
    // The longest chain (a tenth of the rules: 10,000, 10,500, 11,000) is above 1,000 and 5,000 from the
    // start, and above 10,000 (critical) from day 5: levels count when strictly exceeded.
    expect(
      g.metrics.find((m) => m.metric === 'longest-chain')!.crossings.map((c) => [c.severity, c.crossedAt]),
    ).toEqual([
      ['info', day(0)],
      ['warning', day(0)],
      ['critical', day(5)],
    ]);
  });

  it('KUBE-SERVICES from the per-chain counts, when the history has them; nothing without two times', () => {
    const g = hostGrowth('node-1', [point(0, 1000, { byChain: { 'ip/nat/KUBE-SERVICES': 900 } })]);
    const ks = g.metrics.find((m) => m.metric === 'kube-services-rules')!;
    expect(ks).toMatchObject({ latest: 900, perDay: null });
    expect(ks.crossings.every((c) => c.projectedAt === null && c.crossedAt === null)).toBe(true);
    expect(
      hostGrowth('node-1', [point(0, 1000)]).metrics.find((m) => m.metric === 'kube-services-rules')!.points,
    ).toEqual([]);
  });

  it('a cluster label: the largest host at each run', () => {
    const g = groupGrowth(
      'cluster=prod',
      new Map([
        ['node-1', [point(0, 1000), point(1, 3000)]],
        ['node-2', [point(0, 2000), point(1, 2500)]],
      ]),
    );
    expect(g.hosts).toEqual(['node-1', 'node-2']);
    expect(g.metrics.find((m) => m.metric === 'rules')!.points).toEqual([
      { at: day(0), value: 2000 },
      { at: day(1), value: 3000 },
    ]);
  });
});

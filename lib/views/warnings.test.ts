import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GrowthPoint } from '../analyze/growth';
import { hostGrowth } from '../analyze/growth';
import { defaultRestoreCalibration } from '../analyze/restore-calibration';
import { snapshotWarnings } from '../analyze/warnings';
import { Snapshot } from '../model/snapshot';
import { growthChartLayout } from './growth-chart';
import { rulesetIndex } from './ruleset-index';
import {
  clusterGroups,
  clusterWarningList,
  growthView,
  HostWarningsBrief,
  hostAnalysis,
  hostWarningsBrief,
  ruleTableKey,
  warningBadges,
  warningsHref,
} from './warnings';

const examples = path.resolve(__dirname, '../../public/examples');
const example = (name: string) =>
  Snapshot.parse(JSON.parse(readFileSync(path.join(examples, `${name}.snapshot.json`), 'utf8')));

// node-2 of the lab holds rules in both iptables backends: ip nft (raw, filter, nat) and ip legacy
// (mangle: 1 rule, filter: 4 rules), and its nft filter table has 11 jumps to chains with no rules
// (KUBE-PROXY-FIREWALL x3, KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES x2, KUBE-SERVICES x2, DOCKER-USER,
// CNI-ADMIN, DOCKER-INTERNAL), the first at line 27 of its iptables-save.
const node2 = example('node-2');
const node2Result = snapshotWarnings(node2, { calibration: defaultRestoreCalibration });
const node2Keys = new Set(rulesetIndex(node2).tables.map((t) => t.key));

describe('warnings payloads', () => {
  it('counts a host’s warnings by severity for the fleet’s badges', () => {
    expect(warningBadges(node2Result)).toEqual({ state: 'analysed', critical: 0, warning: 1, info: 1 });
    expect(warningBadges({ warnings: [] })).toEqual({ state: 'analysed', critical: 0, warning: 0, info: 0 });
  });

  it('keeps each warning’s number, threshold and sources, and links the rules it names to their chain', () => {
    const a = hostAnalysis(node2Result, node2Keys);
    if (a.state !== 'analysed') throw new Error('expected an analysis');
    const both = a.warnings.find((w) => w.id === 'both-backends')!;
    expect([both.severity, both.measured, both.threshold, both.unit]).toEqual(['warning', 2, 1, 'backends']);
    expect(both.sources.map((s) => s.url)).toEqual([
      'https://git.netfilter.org/iptables/tree/iptables/xtables-save.c',
    ]);
    const jumps = a.warnings.find((w) => w.id === 'empty-chain-jumps')!;
    expect([jumps.severity, jumps.measured, jumps.threshold, jumps.rules.length, jumps.more]).toEqual([
      'info',
      11,
      0,
      11,
      0,
    ]);
    expect(jumps.rules[0]).toMatchObject({
      chain: 'INPUT',
      index: 1,
      line: 27,
      backend: 'nft',
      tableKey: 'ipt:ip/filter',
      text: '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    });
    expect(a.measurements.backendsWithRules).toEqual(['legacy', 'nft']);
  });

  it('finds the chains view’s table of a rule, legacy tables told apart', () => {
    const rule = {
      source: 'iptables',
      family: 'ip',
      table: 'filter',
      chain: 'INPUT',
      index: 1,
      line: 2,
      handle: null,
      text: '',
    } as const;
    expect(ruleTableKey({ ...rule, backend: 'legacy' }, node2Keys)).toBe('ipt:ip/filter@legacy');
    expect(ruleTableKey({ ...rule, backend: 'nft' }, node2Keys)).toBe('ipt:ip/filter');
    expect(ruleTableKey({ ...rule, backend: 'nft', table: 'security' }, node2Keys)).toBeNull();
    // A legacy-only host has no @legacy key: its legacy tables are plain.
    expect(ruleTableKey({ ...rule, backend: 'legacy' }, new Set(['ipt:ip/filter']))).toBe('ipt:ip/filter');
  });

  it('cuts the host overview’s list to the numbers', () => {
    const brief = hostWarningsBrief('example:node-2', node2Result);
    expect(HostWarningsBrief.parse(brief)).toEqual(brief);
    expect(brief.warnings.map((w) => [w.severity, w.id, w.measured, w.threshold])).toEqual([
      ['warning', 'both-backends', 2, 1],
      ['info', 'empty-chain-jumps', 11, 0],
    ]);
  });
});

const day = 86_400_000;
const t0 = Date.parse('2026-01-01T00:00:00Z');
function point(days: number, rules: number, longest = 10): GrowthPoint {
  return {
    collectedAt: new Date(t0 + days * day).toISOString(),
    runId: null,
    rulesTotal: rules,
    services: 3,
    endpoints: 9,
    byTable: { 'ip/nat': rules },
    longestChain: { rules: longest },
  };
}

describe('growth payloads', () => {
  it('projects the next crossing from three collections over two days', () => {
    // 100,000 -> 110,000 -> 120,000 rules a day apart: +10,000 a day; the host-rules warning level
    // (150,000) is 30,000 away, 3 days after the last collection: 2026-01-06.
    const g = growthView(hostGrowth('n', [point(0, 100_000), point(1, 110_000), point(2, 120_000)]), false);
    expect(g.series.map((s) => s.metric)).toEqual([
      'rules',
      'services',
      'longest-chain',
      'largest-table',
      'endpoints',
    ]);
    const rules = g.series[0]!;
    expect(rules.projection).toEqual({ state: 'projected' });
    expect(rules.perDay).toBeCloseTo(10_000, 6);
    expect(rules.crossings).toEqual([
      {
        threshold: 'host-rules',
        severity: 'warning',
        level: 150_000,
        crossedAt: null,
        projectedAt: '2026-01-06T00:00:00.000Z',
        inDays: 3,
      },
    ]);
    // The largest table (100,000 at the warning level) went above it at the second collection.
    const table = g.series.find((s) => s.metric === 'largest-table')!;
    expect(table.crossings[0]!.crossedAt).toBe('2026-01-02T00:00:00.000Z');
    expect(table.projection.state).toBe('no-level');
    expect(g.series.find((s) => s.metric === 'services')!.projection.state).toBe('no-level');
  });

  it('says so instead of projecting from too few collections or too short a time', () => {
    const two = growthView(hostGrowth('n', [point(0, 100_000), point(1, 120_000)]), false).series[0]!;
    expect(two.projection).toEqual({
      state: 'too-few',
      why: '2 collections over 1.0 days: a projection needs at least 3 collections over at least a day',
    });
    expect(two.crossings.every((c) => c.projectedAt === null && c.inDays === null)).toBe(true);
    const short = growthView(hostGrowth('n', [point(0, 1), point(0.01, 2), point(0.02, 3)]), false)
      .series[0]!;
    expect(short.projection.state).toBe('too-few');
    const flat = growthView(hostGrowth('n', [point(0, 5), point(1, 5), point(2, 5)]), false).series[0]!;
    expect(flat.projection).toEqual({ state: 'not-growing' });
  });

  it('sends at most 200 points of a long history, rates from all of them', () => {
    const history = Array.from({ length: 1000 }, (_, i) => point(i / 10, 1000 + i * 10));
    const rules = growthView(hostGrowth('n', history), false).series[0]!;
    expect(rules.points).toHaveLength(200);
    expect(rules.collections).toBe(1000);
    expect(rules.points.at(-1)!.value).toBe(1000 + 999 * 10);
    // +10 rules a collection, 10 collections a day.
    expect(rules.perDay).toBeCloseTo(100, 6);
  });

  it('draws the crossed and the next level, and the projected crossing inside the chart', () => {
    const rules = growthView(
      hostGrowth('n', [point(0, 100_000), point(1, 110_000), point(2, 120_000)]),
      false,
    ).series[0]!;
    const layout = growthChartLayout(rules, 'linear', 640, 240);
    expect(layout.levels.map((l) => [l.severity, l.level])).toEqual([['warning', 150_000]]);
    // The x axis runs from the first collection to the projected date: the crossing is at its right end.
    expect(layout.projection).toMatchObject({ level: 150_000, at: '2026-01-06T00:00:00.000Z', inDays: 3 });
    expect(layout.projection!.x).toBeCloseTo(640 - layout.margin.right, 6);
    // The level line is above (smaller y than) the last point.
    expect(layout.levels[0]!.y).toBeLessThan(layout.dots.at(-1)!.y);
  });
});

describe('clusters', () => {
  it('groups hosts by their cluster label, the unlabelled ones together and last', () => {
    const groups = clusterGroups([
      { name: 'a', labels: { cluster: 'prod' } },
      { name: 'b', labels: {} },
      { name: 'c', labels: { cluster: 'lab', role: 'worker' } },
      { name: 'd', labels: { cluster: 'prod' } },
    ]);
    expect(groups.map((g) => [g.name, g.hosts.map((h) => h.name)])).toEqual([
      ['lab', ['c']],
      ['prod', ['a', 'd']],
      [null, ['b']],
    ]);
  });

  it('lists a cluster’s warnings worst first, naming the host, rules left to the host’s view', () => {
    const node1 = snapshotWarnings(example('node-1'), { calibration: defaultRestoreCalibration });
    const list = clusterWarningList([
      { host: 'node-1', result: node1 },
      { host: 'node-2', result: node2Result },
    ]);
    expect(list.map((w) => [w.host, w.severity, w.id])).toEqual([
      ['node-2', 'warning', 'both-backends'],
      ['node-1', 'info', 'empty-chain-jumps'],
      ['node-2', 'info', 'empty-chain-jumps'],
    ]);
    expect(list.every((w) => !('rules' in w))).toBe(true);
  });

  it('addresses a host, a cluster and the unlabelled group', () => {
    expect(warningsHref({ host: 'example:node-2' })).toBe('/warnings?host=example%3Anode-2');
    expect(warningsHref({ cluster: 'lab' })).toBe('/warnings?cluster=lab');
    expect(warningsHref({ cluster: null, scope: 'examples' })).toBe('/warnings?cluster=&scope=examples');
  });
});

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeServiceCounts, kubeServices } from '../../lib/analyze/kube-services';
import { defaultRestoreCalibration } from '../../lib/analyze/restore-calibration';
import { openStore } from '../store/sqlite-store';
import { sampleSnapshot } from '../store/sample-kube-proxy';
import { fleetBuild } from './fleet';
import type { Dashboard } from './runtime';
import {
  calibrationOf,
  clusterWarningsOf,
  hostWarningsOf,
  warningsBriefOf,
  warningsIndexOf,
  warningsOf,
} from './warnings';
import { dashboardTestbed } from './testing/dashboard.test-support';

const { work, open } = dashboardTestbed('warnings');

/** Waits until the background analysis has reached every host the fleet lists. */
async function analysed(d: Dashboard) {
  for (let i = 0; i < 200; i++) {
    const f = fleetBuild(d);
    if ([...f.hosts, ...f.examples].every((h) => h.warnings?.state !== 'pending')) return f;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the warnings were not analysed within 10 s');
}

describe('warnings in the dashboard', () => {
  it('badges the fleet from the background analysis, never with a count not measured', async () => {
    const d = await open('badges');
    try {
      // Right after start nothing is analysed yet: the fleet says so rather than count.
      expect(fleetBuild(d).examples.map((e) => e.warnings)).toEqual([
        { state: 'pending' },
        { state: 'pending' },
        { state: 'pending' },
      ]);
      // The host overview does not wait either: its list is null until the analysis is in.
      expect(warningsBriefOf(d, 'example:node-2')).toBeNull();
      const fleet = await analysed(d);
      expect(
        warningsBriefOf(d, 'example:node-2')!.warnings.map((w) => [w.id, w.measured, w.threshold]),
      ).toEqual([
        ['both-backends', 2, 1],
        ['empty-chain-jumps', 11, 0],
      ]);
      // The lab's node-2 holds rules in both iptables backends (a warning) and 11 jumps to empty
      // chains (info); node-1 has 9 such jumps; node-3 one, and a chain nothing jumps to.
      expect(fleet.examples.map((e) => [e.name, e.warnings])).toEqual([
        ['example:node-1', { state: 'analysed', critical: 0, warning: 0, info: 1 }],
        ['example:node-2', { state: 'analysed', critical: 0, warning: 1, info: 1 }],
        ['example:node-3', { state: 'analysed', critical: 0, warning: 0, info: 2 }],
      ]);

      const host = hostWarningsOf(d, 'example:node-2');
      expect(host.cluster).toEqual({
        name: 'lab',
        scope: 'examples',
        hosts: ['example:node-1', 'example:node-2', 'example:node-3'],
      });
      if (host.analysis.state !== 'analysed') throw new Error(host.analysis.message);
      expect(host.analysis.warnings[0]).toMatchObject({ id: 'both-backends', measured: 2, threshold: 1 });
      // One snapshot: one point, and no projection from it.
      expect(host.growth.series[0]).toMatchObject({ metric: 'rules', collections: 1, latest: 80 });
      expect(host.growth.series[0]!.projection.state).toBe('too-few');

      const cluster = clusterWarningsOf(d, 'examples', 'lab');
      expect(cluster.warnings.map((w) => `${w.host} ${w.id}`)).toEqual([
        'example:node-2 both-backends',
        'example:node-1 empty-chain-jumps',
        'example:node-2 empty-chain-jumps',
        'example:node-3 unreferenced-chains',
        'example:node-3 empty-chain-jumps',
      ]);
      // The largest host at the one "run" of the examples: node-2's 80 rules.
      expect(cluster.growth.series[0]).toMatchObject({ metric: 'rules', latest: 80 });
      expect(() => clusterWarningsOf(d, 'examples', 'prod')).toThrow('no example has the label cluster=prod');
      // A host asked for with its cluster: checked, not ignored.
      const q = { host: 'example:node-2', scope: 'store' } as const;
      expect(warningsOf(d, { ...q, cluster: 'lab' }).view).toBe('host');
      expect(() => warningsOf(d, { ...q, cluster: 'prod' })).toThrow(
        'example:node-2 is not in cluster prod: its cluster label is lab',
      );
    } finally {
      d.close();
    }
  });

  it('projects a stored host’s growth from its history and groups hosts by cluster', async () => {
    const storeFile = path.join(work, 'history.db');
    const store = openStore(storeFile);
    const day = (n: number) => new Date(Date.UTC(2026, 10, 20 + n));
    for (const [name, services, n, cluster] of [
      ['node-1', 10, 0, 'prod'],
      ['node-1', 12, 1, 'prod'],
      ['node-1', 14, 2, 'prod'],
      ['loner', 3, 2, null],
    ] as const) {
      const sample = sampleSnapshot(name, { services }, day(n));
      const labels: Record<string, string> = cluster ? { cluster } : {};
      sample.snapshot.host.labels = labels;
      const counts = kubeServiceCounts(kubeServices(sample.snapshot));
      store.snapshotSave(
        { ...sample.host, labels },
        sample.snapshot,
        sample.raw,
        { ...sample.stats, ...counts },
        null,
      );
    }
    store.close();
    const d = await open('history');
    try {
      const host = hostWarningsOf(d, 'node-1');
      const endpoints = host.growth.series.find((s) => s.metric === 'endpoints')!;
      // 5 endpoints a service: 50, 60, 70 a day apart, +10 a day; large cluster mode (1,000) is 93
      // days after the last collection.
      expect(endpoints.points.map((p) => p.value)).toEqual([50, 60, 70]);
      expect(endpoints.projection).toEqual({ state: 'projected' });
      expect(endpoints.crossings[0]).toMatchObject({ level: 1000, projectedAt: '2027-02-23T00:00:00.000Z' });
      expect(endpoints.crossings[0]!.inDays).toBeCloseTo(93, 6);
      // The KUBE-SERVICES chain from the per-chain history.
      expect(host.growth.series.map((s) => s.metric)).toContain('kube-services-rules');

      const index = warningsIndexOf(d);
      expect(index.clusters.map((c) => [c.scope, c.name, c.hosts])).toEqual([
        ['store', 'prod', ['node-1']],
        ['store', null, ['loner']],
        ['examples', 'lab', ['example:node-1', 'example:node-2', 'example:node-3']],
      ]);
      expect(clusterWarningsOf(d, 'store', null).cluster.hosts).toEqual(['loner']);
    } finally {
      d.close();
    }
  });

  it('uses the measured calibration when its file reads, else says why and uses the default', () => {
    expect(calibrationOf(path.join(work, 'none.json')).note).toEqual({
      calibration: defaultRestoreCalibration,
      file: null,
      problem: null,
    });
    const bad = path.join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ origin: 'measured', points: [] }));
    const note = calibrationOf(bad).note;
    expect(note.calibration).toBe(defaultRestoreCalibration);
    expect(note.problem).toMatch(/bad\.json: not a restore calibration: field measuredAt: /);
    const good = path.join(work, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        ...defaultRestoreCalibration,
        origin: 'measured',
        measuredAt: '2026-11-23T00:00:00Z',
      }),
    );
    expect(calibrationOf(good).note).toMatchObject({ calibration: { origin: 'measured' }, problem: null });
  });
});

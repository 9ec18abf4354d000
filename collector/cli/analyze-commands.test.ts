import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiffResult } from '../../lib/analyze/diff';
import { DriftResult } from '../../lib/analyze/drift';
import { FlowsResult } from '../../lib/analyze/flows';
import { Growth } from '../../lib/analyze/growth';
import { kubeServiceCounts, kubeServices } from '../../lib/analyze/kube-services';
import { WarningsResult } from '../../lib/analyze/warnings';
import { corpusDir } from '../../lib/testing/corpus.test-support';
import { sampleSnapshot } from '../store/sample-kube-proxy';
import { openStore } from '../store/sqlite-store';
import { cli } from './cli-test-support';

const repo = path.resolve(__dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'packetlens-analyze-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function imported(name: string, ...files: string[]): Promise<string> {
  const out = path.join(work, `${name}.snapshot.json`);
  const r = await cli('import', ...files, '--host', name, '--out', out);
  expect(r).toMatchObject({ code: 0, err: '' });
  return out;
}

const overall = path.join(corpusDir, 'kubernetes/kubeproxy-iptables-overall.iptables');

describe('packetlens flows', () => {
  it('prints the flows of a kube-proxy node, as JSON and for people', async () => {
    const snap = await imported('kube', overall);
    const json = FlowsResult.parse(JSON.parse((await cli('flows', snap, '--json')).out));
    expect(json.summary).toMatchObject({ services: 6, endpoints: 5, snatFlows: 1 });
    const human = await cli('flows', snap, '--service', 'ns4/svc4:p80');
    expect(human.code).toBe(0);
    // 51: -A KUBE-SERVICES ... "ns4/svc4:p80 cluster IP" ... -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
    expect(human.out).toContain(
      'DNAT ip/nat KUBE-SERVICES #6 (line 51)  kube-proxy (iptables) ns4/svc4:p80 ClusterIP\n  rule     -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK\n  catches  tcp to 172.30.0.44 port 80\n',
    );
    expect(human.out).toMatch(
      /-> 10\.180\.0\.4:80 +1\/2 \(0\.5\) +ip\/nat KUBE-SEP-UKSFD7AGPMPPLUHC #2 \(line 82\)/,
    );
  });
});

describe('packetlens warnings', () => {
  it('warns about two iptables backends, with the source of the threshold', async () => {
    const snap = await imported(
      'both',
      path.join(repo, 'lib/iptables/__fixtures__/both-backends.nft.iptables-save'),
      path.join(repo, 'lib/iptables/__fixtures__/both-backends.legacy.iptables-save'),
    );
    const calibration = path.join(work, 'calibration.json');
    writeFileSync(
      calibration,
      JSON.stringify({
        origin: 'measured',
        measuredAt: '2026-11-23T12:00:00.000Z',
        machine: 'test machine',
        method: 'iptables-restore into a namespace that holds the rules',
        points: [
          { rules: 1000, bytes: 100000, seconds: 0.01 },
          { rules: 100000, bytes: 10000000, seconds: 2 },
        ],
        model: { coefficient: 1e-5, exponent: 1.15 },
      }),
    );
    const r = WarningsResult.parse(
      JSON.parse((await cli('warnings', snap, '--json', '--calibration', calibration)).out),
    );
    expect(r.calibration.origin).toBe('measured');
    expect(r.warnings[0]).toMatchObject({
      id: 'both-backends',
      severity: 'warning',
      measured: 2,
      threshold: 1,
    });
    const human = (await cli('warnings', snap, '--calibration', calibration)).out;
    expect(human).toContain(
      'WARNING  both-backends  host: rules in 2 iptables backends (legacy and nft) (warning above 1 backends)',
    );
    expect(human).toContain('source: iptables-nft-save (netfilter iptables 1.8)');
    expect(human).toContain('restore times from: a measurement of 2026-11-23T12:00:00.000Z (test machine;');
  });

  it('names the file and field of a calibration that is not one', async () => {
    const snap = await imported('bad-cal', overall);
    const bad = path.join(work, 'bad-calibration.json');
    writeFileSync(bad, '{"origin":"guess"}');
    expect(await cli('warnings', snap, '--calibration', bad)).toEqual({
      code: 1,
      out: '',
      err: `packetlens warnings: ${bad}: not a restore calibration: field origin: Invalid option: expected one of "measured"|"default"\n`,
    });
  });
});

describe('packetlens diff and drift', () => {
  it('diffs two snapshot files', async () => {
    const a = await imported('a', overall);
    const edited = path.join(work, 'edited.iptables');
    writeFileSync(
      edited,
      readFileSync(overall, 'utf8').replace('-d 172.30.0.41 --dport 80', '-d 172.30.0.141 --dport 80'),
    );
    const b = await imported('b', edited);
    const d = DiffResult.parse(JSON.parse((await cli('diff', a, b, '--json')).out));
    expect(d.summary).toMatchObject({ rulesAdded: 1, rulesRemoved: 1, rulesMoved: 0 });
    const human = (await cli('diff', a, b)).out;
    expect(human).toContain(
      'changed chain ip/nat KUBE-SERVICES\n  - -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
    );
  });

  it('diffs a host with itself yesterday, and compares the hosts of a label, from the store', async () => {
    const db = path.join(work, 'store.db');
    const store = openStore(db);
    const day = (d: number) => new Date(Date.UTC(2026, 10, 20 + d));
    for (const [name, services, d] of [
      ['node-1', 10, 0],
      ['node-1', 12, 1],
      ['node-2', 12, 1],
    ] as const) {
      const sample = sampleSnapshot(name, { services }, day(d));
      sample.host.labels = { cluster: 'prod' };
      sample.snapshot.host.labels = { cluster: 'prod' };
      const counts = kubeServiceCounts(kubeServices(sample.snapshot));
      store.snapshotSave(sample.host, sample.snapshot, sample.raw, { ...sample.stats, ...counts }, null);
    }
    store.close();
    const d = DiffResult.parse(
      JSON.parse((await cli('diff', 'node-1@2026-11-20T12:00:00Z', 'node-1', '--db', db, '--json')).out),
    );
    expect(d.summary).toMatchObject({ servicesAdded: 2, servicesRemoved: 0, endpointsAdded: 10 });
    const drift = DriftResult.parse(
      JSON.parse((await cli('drift', '--label', 'cluster=prod', '--db', db, '--json')).out),
    );
    expect(drift.hosts.sort()).toEqual(['node-1', 'node-2']);
    expect(drift.rules).toEqual([]);
    expect((await cli('diff', 'node-9', 'node-1', '--db', db)).err).toBe(
      `packetlens diff: node-9: no such file, and no host named 'node-9' in ${db}\n`,
    );

    const history = JSON.parse((await cli('history', 'node-1', '--db', db, '--json')).out) as {
      points: unknown[];
      growth: { host: unknown; labels: unknown[] };
    };
    expect(history.points).toHaveLength(2);
    const host = Growth.parse(history.growth.host);
    // 10 services (x 5 endpoints) on day 0, 12 on day 1.
    expect(host.metrics.find((m) => m.metric === 'services')).toMatchObject({ latest: 12, perDay: 2 });
    expect(host.metrics.find((m) => m.metric === 'endpoints')).toMatchObject({ latest: 60, perDay: 10 });
    const endpoints = host.metrics.find((m) => m.metric === 'endpoints')!;
    // 1,000 endpoints (large cluster mode) at 10 a day from 60: 94 days after day 1.
    expect(endpoints.crossings).toEqual([
      {
        threshold: 'large-cluster-mode',
        severity: 'info',
        level: 1000,
        crossedAt: null,
        projectedAt: new Date(Date.UTC(2026, 10, 21 + 94)).toISOString(),
        inDays: 94,
      },
    ]);
    expect(Growth.parse(history.growth.labels[0])).toMatchObject({
      subject: 'cluster=prod',
      hosts: ['node-1', 'node-2'],
    });
    expect((await cli('history', 'node-1', '--db', db)).out).toContain(
      'growth of cluster=prod (2 hosts, the largest at each run):',
    );
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeProxyIptablesSave } from '../generate/kube-proxy-iptables';
import { buildSnapshot } from '../snapshot/build';
import { corpusDir } from '../testing/corpus.test-support';
import { DiffResult, snapshotDiff } from './diff';

const snap = (host: string, inputs: { origin: string; text: string }[]) => buildSnapshot(inputs, { host });
const diff = (a: ReturnType<typeof snap>, b: ReturnType<typeof snap>) => DiffResult.parse(snapshotDiff(a, b));
const overall = readFileSync(path.join(corpusDir, 'kubernetes/kubeproxy-iptables-overall.iptables'), 'utf8');

describe('diff', () => {
  it('a rollout of every 10th of 30 services: their endpoint chains replaced, their service chains rewritten', () => {
    const a = snap('node-1', [
      { origin: 'a', text: kubeProxyIptablesSave({ services: 30, endpointsPerService: 5 }) },
    ]);
    const b = snap('node-1', [
      {
        origin: 'b',
        text: kubeProxyIptablesSave({ services: 30, endpointsPerService: 5, rolloutEvery: 10 }),
      },
    ]);
    const d = diff(a, b);
    // Services 0, 10 and 20: 5 KUBE-SEP chains (2 rules each) out, 5 in; their KUBE-SVC chains keep the
    // masquerade rule and change the 5 endpoint jumps (comment and target).
    expect(d.summary).toMatchObject({
      chainsAdded: 15,
      chainsRemoved: 15,
      chainsRenamed: 0,
      rulesAdded: 15 * 2 + 3 * 5,
      rulesRemoved: 15 * 2 + 3 * 5,
      rulesMoved: 0,
      servicesAdded: 0,
      servicesRemoved: 0,
      endpointsAdded: 15,
      endpointsRemoved: 15,
    });
    // The rolled pods sit 2^23 addresses up the pod range: 10.0.0.2 became 10.128.0.2.
    expect(d.services.changed[0]).toEqual({
      mode: 'iptables',
      family: 'ip',
      service: 'bench/svc-0:p80',
      added: ['10.128.0.2:8080', '10.128.0.3:8080', '10.128.0.4:8080', '10.128.0.5:8080', '10.128.0.6:8080'],
      removed: ['10.0.0.2:8080', '10.0.0.3:8080', '10.0.0.4:8080', '10.0.0.5:8080', '10.0.0.6:8080'],
    });
    const svc = d.chains.find((c) => c.status === 'changed' && c.chain.startsWith('KUBE-SVC-'))!;
    expect(svc.removed[0]!.text).toContain('"bench/svc-0:p80 -> 10.0.0.2:8080"');
    expect(svc.added[0]!.text).toContain('"bench/svc-0:p80 -> 10.128.0.2:8080"');
  });

  it('matches a kube-proxy chain that only changed its hash by content', () => {
    // 71: -A KUBE-SEP-C6EBXVWJJZMIWKLZ ... -s 10.180.0.5 -j KUBE-MARK-MASQ, 72: ... DNAT --to-destination 10.180.0.5:80,
    // jumped to from line 85. B is the same with the chain called KUBE-SEP-AAAAAAAAAAAAAAAA.
    const renamed = overall.replaceAll('KUBE-SEP-C6EBXVWJJZMIWKLZ', 'KUBE-SEP-AAAAAAAAAAAAAAAA');
    const d = diff(snap('a', [{ origin: 'a', text: overall }]), snap('b', [{ origin: 'b', text: renamed }]));
    expect(d.chains).toEqual([
      expect.objectContaining({
        chain: 'KUBE-SEP-AAAAAAAAAAAAAAAA',
        renamedFrom: 'KUBE-SEP-C6EBXVWJJZMIWKLZ',
        status: 'changed',
        added: [],
        removed: [],
        moved: [],
      }),
    ]);
    expect(d.summary).toMatchObject({ chainsRenamed: 1, rulesAdded: 0, rulesRemoved: 0, chainsAdded: 0 });
  });

  it('a rule moved to the front of its chain, and counters that do not count', () => {
    const a =
      '*filter\n:X - [0:0]\n[1:60] -A X -s 10.0.0.1/32 -j ACCEPT\n[2:120] -A X -s 10.0.0.2/32 -j ACCEPT\n[3:180] -A X -j DROP\nCOMMIT\n';
    const b =
      '*filter\n:X - [0:0]\n[9:900] -A X -s 10.0.0.2/32 -j ACCEPT\n[0:0] -A X -s 10.0.0.1/32 -j ACCEPT\n[5:300] -A X -j DROP\nCOMMIT\n';
    const d = diff(snap('a', [{ origin: 'a', text: a }]), snap('b', [{ origin: 'b', text: b }]));
    expect(d.chains).toHaveLength(1);
    expect(d.chains[0]!.moved).toHaveLength(1);
    expect(d.chains[0]!.added).toEqual([]);
    expect(d.chains[0]!.removed).toEqual([]);
    expect(d.summary.rulesMoved).toBe(1);
  });

  it('routes added, removed and changed', () => {
    const routes = JSON.parse(
      readFileSync(path.resolve(__dirname, '../iproute/__fixtures__/ip-route.json'), 'utf8'),
    ) as {
      dst: string;
      gateway?: string;
      table?: string;
    }[];
    const changed = routes
      .filter((r) => r.dst !== '198.18.30.0/24')
      .map((r) => (r.dst === '198.18.100.0/24' ? { ...r, gateway: '198.18.0.1' } : r));
    changed.push({ ...routes.find((r) => r.dst === '198.18.30.0/24')!, dst: '198.18.31.0/24' });
    const d = diff(
      snap('a', [{ origin: 'a.json', text: JSON.stringify(routes) }]),
      snap('b', [{ origin: 'b.json', text: JSON.stringify(changed) }]),
    );
    expect(d.routes.added.map((r) => r.dst)).toEqual(['198.18.31.0/24']);
    expect(d.routes.removed.map((r) => r.dst)).toEqual(['198.18.30.0/24']);
    expect(d.routes.changed.map((c) => [c.before.gateway, c.after.gateway])).toEqual([
      ['198.18.0.2', '198.18.0.1'],
    ]);
  });

  it('nft: a verdict map element gone, its service chain still there', () => {
    const file = path.join(corpusDir, 'kubernetes/kubeproxy-nft-overall.nft.json');
    const text = readFileSync(file, 'utf8');
    const json = JSON.parse(text) as { nftables: { map?: { name: string; elem?: unknown[] } }[] };
    for (const item of json.nftables)
      if (item.map?.name === 'service-ips')
        item.map.elem = item.map.elem!.filter((e) => !JSON.stringify(e).includes('172.30.0.41'));
    const d = diff(
      snap('a', [{ origin: file, text }]),
      snap('b', [{ origin: file, text: JSON.stringify(json) }]),
    );
    expect(d.sets).toEqual([
      {
        family: 'ip',
        table: 'kube-proxy',
        set: 'service-ips',
        status: 'changed',
        added: [],
        removed: ['172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80'],
      },
    ]);
    expect(d.chains).toEqual([]);
  });
});

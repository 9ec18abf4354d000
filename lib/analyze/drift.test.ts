import { describe, expect, it } from 'vitest';
import { kubeProxyIptablesSave } from '../generate/kube-proxy-iptables';
import { buildSnapshot } from '../snapshot/build';
import { DriftResult, snapshotsDrift } from './drift';

const node = (host: string, text: string) =>
  buildSnapshot([{ origin: host, text }], { host, labels: { cluster: 'prod' } });

describe('drift', () => {
  it('three nodes of one cluster: the rules and chains only some of them hold', () => {
    const base = kubeProxyIptablesSave({ services: 20, endpointsPerService: 3 });
    // node-3 missed the rollout of services 0 and 10 (every 10th), which node-1 and node-2 got.
    const rolled = kubeProxyIptablesSave({ services: 20, endpointsPerService: 3, rolloutEvery: 10 });
    // node-2 also holds one rule the others lack.
    const extra = rolled.replace(
      'COMMIT\n*nat\n',
      '-A KUBE-FORWARD -s 198.18.9.9/32 -j ACCEPT\nCOMMIT\n*nat\n',
    );
    const d = DriftResult.parse(
      snapshotsDrift([node('node-1', rolled), node('node-2', extra), node('node-3', base)]),
    );
    expect(d.hosts).toEqual(['node-1', 'node-2', 'node-3']);
    const extraRule = d.rules.find((r) => r.rule.text === '-A KUBE-FORWARD -s 198.18.9.9/32 -j ACCEPT')!;
    expect(extraRule).toMatchObject({
      table: 'iptables ip filter',
      chain: 'KUBE-FORWARD',
      heldBy: ['node-2'],
      missingOn: ['node-1', 'node-3'],
    });
    // Each rolled service: 3 endpoint jumps of its KUBE-SVC chain and 3 KUBE-SEP chains of 2 rules differ,
    // on both sides: (3 + 6) x 2 services x 2 versions, plus node-2's extra rule.
    expect(d.rules).toHaveLength((3 + 6) * 2 * 2 + 1);
    expect(d.rules.filter((r) => r.heldBy.join() === 'node-3')).toHaveLength((3 + 6) * 2);
    expect(d.chains).toHaveLength(3 * 2 * 2);
    expect(d.chains.find((c) => c.missingOn.join() === 'node-3')!.chain).toMatch(/^KUBE-SEP-/);
  });
});

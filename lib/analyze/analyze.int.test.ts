import { describe, expect, it } from 'vitest';
import { netnsRun, withNetns } from '../../collector/netns/netns';
import { kubeProxyIptablesSave, kubeProxyServices } from '../generate/kube-proxy-iptables';
import { kubeProxyNftScript, type KubeProxyNode } from '../generate/kube-proxy-lab';
import { buildSnapshot } from '../snapshot/build';
import { snapshotFlows } from './flows';
import { snapshotShadowing } from './shadowing';

/**
 * What only the real tools can show: flows read from what iptables-save and nft -j print after the
 * kernel has the rules (canonical option order, probabilities as the kernel rounded them), and
 * shadowing claims checked against the kernel's own counters.
 */

const sh = (ns: string, script: string) => netnsRun(ns, 'bash', ['-c', script]);

async function must(r: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const done = await r;
  if (done.code !== 0) throw new Error(done.stderr.trim());
  return done.stdout;
}

describe('analyses of rules the kernel holds', () => {
  it('kube-proxy iptables rules after iptables-restore: endpoints and shares from iptables-save', async () => {
    const opts = { services: 12, endpointsPerService: 3, nodePortEvery: 4, namespace: 'int' };
    const saved = await withNetns('analyze', async (ns) => {
      await must(netnsRun(ns, 'iptables-restore', [], kubeProxyIptablesSave(opts)));
      return must(netnsRun(ns, 'iptables-save', []));
    });
    // The kernel keeps 1/3 as 715827883 / 2^31, and iptables-save prints it back that way.
    expect(saved).toContain('--probability 0.33333333349');
    const flows = snapshotFlows(buildSnapshot([{ origin: 'iptables-save', text: saved }], { host: 'ns' }));
    for (const s of kubeProxyServices(opts)) {
      const cluster = flows.dnat.find(
        (f) =>
          f.owner.kind === 'kube-proxy' && f.owner.service === s.name && f.owner.serviceKind === 'ClusterIP',
      );
      expect(cluster, s.name).toBeDefined();
      expect(cluster!.catch.destination).toEqual([{ value: `${s.clusterIp}/32`, negate: false }]);
      const [branch] = cluster!.branches;
      expect(branch!.endpoints.map((e) => e.to)).toEqual(s.endpoints);
      expect(branch!.endpoints.map((e) => e.probability!.fraction)).toEqual(['1/3', '1/3', '1/3']);
      expect(branch!.endpoints[0]!.probability!.value).toBe(715827883 / 2 ** 31);
      expect(branch!.endpointSum).toEqual({ value: 1, fraction: '1' });
      // Reached from the built-in chains the dump now has: nat PREROUTING and OUTPUT.
      expect(cluster!.paths.map((p) => p.start).sort()).toEqual(['OUTPUT', 'PREROUTING']);
      const nodePort = flows.dnat.find(
        (f) =>
          f.owner.kind === 'kube-proxy' && f.owner.service === s.name && f.owner.serviceKind === 'NodePort',
      );
      if (s.nodePort === null) expect(nodePort).toBeUndefined();
      else expect(nodePort!.catch.destinationPorts).toEqual([{ value: String(s.nodePort), negate: false }]);
    }
  });

  it('kube-proxy nftables rules after nft -f: numgen shares from nft -j list ruleset', async () => {
    const node: KubeProxyNode = {
      services: [
        {
          name: 'int/web:http',
          clusterIp: '172.30.0.10',
          port: 80,
          protocol: 'tcp',
          nodePort: 30080,
          endpoints: [
            { ip: '10.244.1.2', port: 8080 },
            { ip: '10.244.2.2', port: 8080 },
            { ip: '10.244.3.2', port: 8080 },
          ],
        },
      ],
      clusterCidr: '10.244.0.0/16',
      serviceCidr: '172.30.0.0/16',
      nodeIps: ['198.18.0.2'],
    };
    const json = await withNetns('analyze', async (ns) => {
      await must(netnsRun(ns, 'nft', ['-f', '-'], await kubeProxyNftScript(node)));
      return must(netnsRun(ns, 'nft', ['-j', 'list', 'ruleset']));
    });
    const flows = snapshotFlows(buildSnapshot([{ origin: 'nft -j', text: json }], { host: 'ns' }));
    const cluster = flows.dnat.find(
      (f) => f.owner.kind === 'kube-proxy' && f.owner.serviceKind === 'ClusterIP',
    )!;
    expect(cluster.element).toBe(
      '172.30.0.10 . tcp . 80 : goto service-' + cluster.element!.split('goto service-')[1],
    );
    expect(cluster.branches[0]!.endpoints.map((e) => `${e.to} ${e.probability!.fraction}`)).toEqual([
      '10.244.1.2:8080 1/3',
      '10.244.2.2:8080 1/3',
      '10.244.3.2:8080 1/3',
    ]);
    const nodePort = flows.dnat.find(
      (f) => f.owner.kind === 'kube-proxy' && f.owner.serviceKind === 'NodePort',
    )!;
    expect(nodePort.catch).toMatchObject({
      destination: [{ value: '198.18.0.2', negate: false }],
      destinationPorts: [{ value: '30080', negate: false }],
    });
    expect(flows.snat).toHaveLength(1);
  });

  it("a rule claimed shadowed never counts a packet; the near miss after it does (the kernel's counters)", async () => {
    const rules = [
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      '-A OUTPUT -d 127.0.0.0/8 -p udp -j ACCEPT',
      '-A OUTPUT -d 127.0.0.1/32 -p udp -m udp --dport 9999 -j ACCEPT',
      '-A OUTPUT -p udp -m udp --dport 9999 -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n');
    const counted = await withNetns('analyze', async (ns) => {
      await must(
        sh(
          ns,
          'ip link set lo up && ip link add pl-an0 type veth peer name pl-an1 && ip addr add 198.51.100.1/24 dev pl-an0 && ip link set pl-an0 up && ip link set pl-an1 up',
        ),
      );
      await must(netnsRun(ns, 'iptables-restore', [], rules));
      await must(
        sh(
          ns,
          'for i in 1 2 3; do echo x > /dev/udp/127.0.0.1/9999; echo x > /dev/udp/198.51.100.2/9999; done; true',
        ),
      );
      return must(netnsRun(ns, 'iptables-save', ['-c']));
    });
    const snap = buildSnapshot([{ origin: 'iptables-save -c', text: counted }], { host: 'ns' });
    const findings = snapshotShadowing(snap).findings;
    expect(findings.map((f) => [f.kind, f.rule.index, f.by.index])).toEqual([['shadowed', 2, 1]]);
    const output = snap.netfilter.iptables[0]!.tables[0]!.chains.find((c) => c.name === 'OUTPUT')!;
    const packets = output.rules.map((r) => Number(r.counters!.packets));
    // Three datagrams to 127.0.0.1 (rule 1), none for the shadowed rule 2, three to 198.51.100.2 (rule 3).
    expect(packets).toEqual([3, 0, 3]);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../iptables/parse-save';
import { corpusDir } from '../testing/corpus.test-support';
import { iptDnatFlows } from './dnat-flows';
import { DnatFlow } from './flow-model';

function flowsOf(file: string): DnatFlow[] {
  const flows = iptDnatFlows(parseIptablesSave(readFileSync(file, 'utf8'), { file }));
  for (const f of flows) DnatFlow.parse(f);
  return flows;
}

const kube = (name: string) => path.join(corpusDir, 'kubernetes', name);

/** Endpoints of each branch as `to share`, the branch's extra conditions first. */
function branches(f: DnatFlow): string[] {
  return f.branches.map(
    (b) =>
      `${b.when.length ? `[${b.when.join(' && ')}] ` : ''}${b.endpoints.map((e) => `${e.to} ${e.probability?.fraction}`).join(', ') || '-'}`,
  );
}

describe('iptables DNAT flows, expected values read from the dumps', () => {
  const overall = flowsOf(kube('kubeproxy-iptables-overall.iptables'));
  const byId = (id: string) => overall.find((f) => f.id === id)!;

  it('kubeproxy-iptables-overall: a ClusterIP with two endpoints at 1/2 each', () => {
    // 51: -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
    // 84: -A KUBE-SVC-4SW47YFZTEDKD3PK ... -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
    // 85: -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
    // 82: -A KUBE-SEP-UKSFD7AGPMPPLUHC ... -j DNAT --to-destination 10.180.0.4:80
    // 72: -A KUBE-SEP-C6EBXVWJJZMIWKLZ ... -j DNAT --to-destination 10.180.0.5:80
    const f = byId('ip/nat/KUBE-SERVICES#6');
    expect(f.entry).toMatchObject({ line: 51, chain: 'KUBE-SERVICES', index: 6 });
    expect(f.owner).toEqual({
      kind: 'kube-proxy',
      mode: 'iptables',
      service: 'ns4/svc4:p80',
      serviceKind: 'ClusterIP',
      serviceChain: 'KUBE-SVC-4SW47YFZTEDKD3PK',
      trafficPolicy: 'Cluster',
      sourceRanges: false,
    });
    expect(f.catch).toMatchObject({
      protocol: [{ value: 'tcp', negate: false }],
      destination: [{ value: '172.30.0.44', negate: false }],
      destinationPorts: [{ value: '80', negate: false }],
    });
    expect(branches(f)).toEqual(['10.180.0.4:80 1/2, 10.180.0.5:80 1/2']);
    const [a, b] = f.branches[0]!.endpoints;
    expect([a!.rule.line, a!.via.map((r) => r.line)]).toEqual([82, [51, 84]]);
    expect([b!.rule.line, b!.via.map((r) => r.line)]).toEqual([72, [51, 85]]);
    expect(a!.probability!.value).toBe(0.5);
    expect(f.branches[0]!.endpointSum).toEqual({ value: 1, fraction: '1' });
    // 83: ... ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ, and each KUBE-SEP's hairpin `-s 10.180.0.x -j KUBE-MARK-MASQ`.
    expect(f.branches[0]!.marks.map((r) => r.line)).toEqual([83, 81, 71]);
  });

  it('kubeproxy-iptables-overall: an external IP with externalTrafficPolicy Local and no local endpoint', () => {
    // 48: -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
    // 58: -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
    // 60: -A KUBE-EXT-GNZBNJ2PO5MGZ6GT ... -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
    // (no KUBE-SVL: the rest falls out of KUBE-EXT and is dropped in filter)
    // 10: -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP
    const f = byId('ip/nat/KUBE-SERVICES#3');
    expect(f.owner).toMatchObject({
      service: 'ns2/svc2:p80',
      serviceKind: 'ExternalIP',
      trafficPolicy: 'Local',
    });
    expect(branches(f)).toEqual([
      '[-s 10.0.0.0/8] 10.180.0.2:80 1',
      '[-m addrtype --src-type LOCAL] 10.180.0.2:80 1',
      '-',
    ]);
    const rest = f.branches[2]!;
    expect(rest.outcomes).toHaveLength(1);
    expect(rest.outcomes[0]).toMatchObject({
      kind: 'falls-through',
      probability: { value: 1, fraction: '1' },
    });
    expect(rest.outcomes[0]!.detail).toContain('dropped by ip/filter KUBE-EXTERNAL-SERVICES #1 (line 10)');
    expect(rest.why[0]).toBe('no endpoints');
  });

  it('kubeproxy-iptables-overall: a load balancer IP behind loadBalancerSourceRanges, with ClientIP affinity', () => {
    // 54: -A KUBE-SERVICES ... "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C
    // 65: -A KUBE-FW-NUKIZ6OKUXPJNT4C ... -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
    // 89: -A KUBE-SVC-NUKIZ6OKUXPJNT4C ... -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN
    // 90: -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
    // 17: -A KUBE-PROXY-FIREWALL ... -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP
    const f = byId('ip/nat/KUBE-SERVICES#9');
    expect(f.owner).toMatchObject({
      service: 'ns5/svc5:p80',
      serviceKind: 'LoadBalancer',
      sourceRanges: true,
    });
    expect(branches(f)).toEqual(['[-s 203.0.113.0/25] 10.180.0.3:80 1', '-']);
    expect(f.branches[0]!.affinity).toEqual({
      seconds: 10800,
      rules: [expect.objectContaining({ line: 89 })],
    });
    expect(f.branches[0]!.endpoints[0]!.via.map((r) => r.line)).toEqual([54, 65, 62, 90]);
    expect(f.branches[1]!.outcomes[0]!.detail).toContain(
      'dropped by ip/filter KUBE-PROXY-FIREWALL #1 (line 17)',
    );
  });

  it("kubeproxy-iptables-overall: NodePorts reached through KUBE-SERVICES' last rule, one with nfacct", () => {
    // 55: -A KUBE-SERVICES ... -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
    // 43: -A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
    // 42: -A KUBE-NODEPORTS ... -d 127.0.0.0/8 --dport 3003 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-X27LE4BHSL4DOUIK
    const f = byId('ip/nat/KUBE-NODEPORTS#4');
    expect(f.owner).toMatchObject({
      service: 'ns3/svc3:p80',
      serviceKind: 'NodePort',
      trafficPolicy: 'Cluster',
    });
    expect(f.paths.map((p) => p.rules.map((r) => r.line))).toEqual([[55, 43]]);
    expect(f.catch.destinationType).toEqual([{ value: 'LOCAL', negate: false }]);
    expect(f.catch.destinationPorts).toEqual([{ value: '3003', negate: false }]);
    expect(branches(f)).toEqual(['10.180.0.3:80 1']);
    const local = byId('ip/nat/KUBE-NODEPORTS#3');
    expect(local.catch.other).toEqual(['-m nfacct --nfacct-name localhost_nps_accepted_pkts']);
    expect(local.notes.some((n) => n.includes('-m nfacct --nfacct-name localhost_nps_accepted_pkts'))).toBe(
      true,
    );
    expect(branches(local)).toEqual(['10.180.0.3:80 1']);
  });

  it('kubeproxy-iptables-overall: a ClusterIP without endpoints is a flow that is rejected', () => {
    // 9: -A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
    const f = byId('ip/filter/KUBE-SERVICES#1');
    expect(f.owner).toMatchObject({ service: 'ns6/svc6:p80', serviceKind: 'ClusterIP' });
    expect(f.branches[0]!.outcomes).toEqual([
      expect.objectContaining({ kind: 'reject', rule: expect.objectContaining({ line: 9 }) }),
    ]);
    expect(f.branches[0]!.why).toEqual(['no endpoints: rejected by ip/filter KUBE-SERVICES #1 (line 9)']);
  });

  it('kubeproxy-iptables-overall: one flow per way in, and no other', () => {
    // 9 KUBE-SERVICES rules before the last, 6 KUBE-NODEPORTS rules, 1 filter rule for ns6.
    expect(overall.map((f) => f.id).sort()).toEqual(
      [
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `ip/nat/KUBE-SERVICES#${i}`),
        ...[1, 2, 3, 4, 5, 6].map((i) => `ip/nat/KUBE-NODEPORTS#${i}`),
        'ip/filter/KUBE-SERVICES#1',
      ].sort(),
    );
  });

  it('kubeproxy-iptables-itp-cluster-3endpoints: thirds from 0.3333333333 and 0.5000000000', () => {
    // 33: ... -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-3JOIVZTXZZRGORX4
    // 34: ... -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-IO5XOSKPAXIFQXAJ
    // 35: ... -j KUBE-SEP-XGJFVO3L2O5SRFNT
    const [f] = flowsOf(kube('kubeproxy-iptables-itp-cluster-3endpoints.iptables'));
    // The comment "ns1/svc1 cluster IP" names a service whose port has no name.
    expect(f!.owner).toMatchObject({ service: 'ns1/svc1', serviceKind: 'ClusterIP' });
    expect(branches(f!)).toEqual(['10.0.1.1:80 1/3, 10.0.1.2:80 1/3, 10.0.1.3:80 1/3']);
    // As the kernel applies them: 715827883/2^31 first, then half of the rest each.
    const values = f!.branches[0]!.endpoints.map((e) => e.probability!.value);
    expect(values[0]).toBe(715827883 / 2 ** 31);
    expect(values[1]).toBe((1 - 715827883 / 2 ** 31) / 2);
    expect(f!.branches[0]!.endpointSum).toEqual({ value: 1, fraction: '1' });
  });

  it('kubeproxy-ip6tables-nodeport-etp-local: IPv6 endpoints, local NodePort traffic to the local endpoint only', () => {
    // 21: -A KUBE-NODEPORTS -m comment --comment ns1/svc1:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-XPGD46QRK7WJZT7O
    // 25: -A KUBE-EXT-XPGD46QRK7WJZT7O ... -m addrtype --src-type LOCAL -j KUBE-SVC-XPGD46QRK7WJZT7O
    // 26: -A KUBE-EXT-XPGD46QRK7WJZT7O -j KUBE-SVL-XPGD46QRK7WJZT7O
    // 32/34: DNAT --to-destination [ff06::c1]:80 / [ff06::c2]:80; KUBE-SVL (37) only -> KUBE-SEP for ff06::c2.
    const flows = flowsOf(kube('kubeproxy-ip6tables-nodeport-etp-local.iptables'));
    const np = flows.find((f) => f.owner.kind === 'kube-proxy' && f.owner.serviceKind === 'NodePort')!;
    expect(np.id).toBe('ip6/nat/KUBE-NODEPORTS#1');
    expect(branches(np)).toEqual([
      '[-m addrtype --src-type LOCAL] [ff06::c1]:80 1/2, [ff06::c2]:80 1/2',
      '[ff06::c2]:80 1',
    ]);
    expect(np.branches[1]!.endpoints[0]).toMatchObject({ address: 'ff06::c2', port: '80' });
    expect(np.owner).toMatchObject({ trafficPolicy: 'Local' });
  });

  it('Docker (moby golden file): the published port, from PREROUTING and OUTPUT', () => {
    // 31: -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
    // 32: -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
    // 34: -A DOCKER ! -i br-dummy -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.0.2:80
    const [f, ...rest] = flowsOf(path.join(corpusDir, 'docker/moby-bridge-portmap-nat.iptables'));
    expect(rest).toEqual([]);
    expect(f!.owner).toEqual({ kind: 'docker', chain: 'DOCKER' });
    expect(f!.entry.line).toBe(34);
    expect(f!.paths.map((p) => [p.start, p.rules.map((r) => r.line)])).toEqual([
      ['PREROUTING', [31, 34]],
      ['OUTPUT', [32, 34]],
    ]);
    expect(f!.paths[1]!.catch.destination).toEqual([{ value: '127.0.0.0/8', negate: true }]);
    // What both ways share: no `! -d 127.0.0.0/8`.
    expect(f!.catch).toMatchObject({
      destination: [],
      destinationType: [{ value: 'LOCAL', negate: false }],
      inInterface: [{ value: 'br-dummy', negate: true }],
      destinationPorts: [{ value: '8080', negate: false }],
    });
    expect(f!.branches[0]!.endpoints).toEqual([
      expect.objectContaining({
        to: '192.168.0.2:80',
        address: '192.168.0.2',
        port: '80',
        probability: { value: 1, fraction: '1' },
      }),
    ]);
  });

  it('CNI portmap (captured): the host port, named by the plugin comment', () => {
    // 25: [0:0] -A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
    // 34: [0:0] -A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \"plcap-cni\" id: \"plcapcapture0001\"" -m multiport --dports 8080 -j CNI-DN-3954f9866efbfa532604c
    // 33: [0:0] -A CNI-DN-3954f9866efbfa532604c -p tcp -m tcp --dport 8080 -j DNAT --to-destination 198.18.64.2:80
    const [f] = flowsOf(path.resolve(__dirname, '../iptables/__fixtures__/cni-bridge-portmap.iptables-save'));
    expect(f!.owner).toEqual({
      kind: 'cni-hostport',
      chain: 'CNI-DN-3954f9866efbfa532604c',
      network: 'plcap-cni',
      containerId: 'plcapcapture0001',
    });
    expect(f!.paths[0]!.rules.map((r) => r.line)).toEqual([25, 34, 33]);
    expect(branches(f!)).toEqual(['198.18.64.2:80 1']);
  });

  it('an inline cascade in a built-in chain is one flow; a random last rule leaves a share that falls through', () => {
    const text = [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      '-A PREROUTING -d 192.0.2.1/32 -p tcp -m tcp --dport 80 -m statistic --mode nth --every 3 --packet 0 -j DNAT --to-destination 10.0.0.1',
      '-A PREROUTING -d 192.0.2.1/32 -p tcp -m tcp --dport 80 -m statistic --mode nth --every 2 --packet 0 -j DNAT --to-destination 10.0.0.2',
      '-A PREROUTING -d 192.0.2.1/32 -p tcp -m tcp --dport 80 -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.0.0.3',
      'COMMIT',
      '',
    ].join('\n');
    const flows = iptDnatFlows(parseIptablesSave(text, { file: 'hand-built' }));
    expect(flows).toHaveLength(1);
    const b = flows[0]!.branches[0]!;
    expect(b.endpoints.map((e) => `${e.to} ${e.probability!.fraction}`)).toEqual([
      '10.0.0.1 1/3',
      '10.0.0.2 1/3',
      '10.0.0.3 1/6',
    ]);
    expect(b.endpointSum!.fraction).toBe('5/6');
    expect(b.why).toEqual([
      '1/6: falls-through: not translated here: goes on after ip/nat PREROUTING #3 (line 5)',
    ]);
  });
});

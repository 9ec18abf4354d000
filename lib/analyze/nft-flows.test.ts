import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../snapshot/build';
import { corpusDir } from '../testing/corpus.test-support';
import { DnatFlow, SnatFlow } from './flow-model';
import { nftFlows } from './nft-flows';

function flowsOf(file: string) {
  const snap = buildSnapshot([{ origin: file, text: readFileSync(file, 'utf8') }], { host: 'nft' });
  const r = nftFlows(snap);
  for (const f of r.dnat) DnatFlow.parse(f);
  for (const f of r.snat) SnatFlow.parse(f);
  return r;
}

function branches(f: DnatFlow): string[] {
  return f.branches.map(
    (b) =>
      `${b.when.length ? `[${b.when.join(' && ')}] ` : ''}${b.endpoints.map((e) => `${e.to} ${e.probability?.fraction ?? e.chosenBy}`).join(', ') || '-'}`,
  );
}

describe('nft DNAT and SNAT flows, expected values read from the listings', () => {
  // kubeproxy-nft-overall.list.nft is `nft list ruleset` of the JSON read here.
  const overall = flowsOf(path.join(corpusDir, 'kubernetes/kubeproxy-nft-overall.nft.json'));
  const byElement = (text: string) => overall.dnat.find((f) => f.element?.startsWith(text))!;

  it('kube-proxy nftables mode: a ClusterIP element of service-ips and its numgen map', () => {
    // map service-ips { ... 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 ... }
    // chain services { ip daddr . meta l4proto . th dport vmap @service-ips ... }
    // chain service-LAUZTJTB-ns4/svc4/tcp/p80 {
    //   numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80,
    //                              1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 } }
    // chain endpoint-...__10.180.0.4/80 { ... meta l4proto tcp dnat to 10.180.0.4:80 }
    const f = byElement('172.30.0.44 . tcp . 80');
    expect(f.entry).toMatchObject({
      chain: 'services',
      index: 1,
      text: 'ip daddr . meta l4proto . th dport vmap @service-ips',
    });
    expect(f.owner).toEqual({
      kind: 'kube-proxy',
      mode: 'nftables',
      service: 'ns4/svc4:p80',
      serviceKind: 'ClusterIP',
      serviceChain: 'service-LAUZTJTB-ns4/svc4/tcp/p80',
      trafficPolicy: 'Cluster',
      sourceRanges: false,
    });
    expect(f.catch).toMatchObject({
      destination: [{ value: '172.30.0.44', negate: false }],
      protocol: [{ value: 'tcp', negate: false }],
      destinationPorts: [{ value: '80', negate: false }],
    });
    expect(f.paths.map((p) => p.start).sort()).toEqual(['nat-output', 'nat-prerouting']);
    expect(branches(f)).toEqual(['10.180.0.4:80 1/2, 10.180.0.5:80 1/2']);
    expect(f.branches[0]!.endpoints[0]!.rule).toMatchObject({
      chain: 'endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80',
      text: 'meta l4proto tcp dnat to 10.180.0.4:80',
    });
  });

  it('kube-proxy nftables mode: NodePorts from service-nodeports, for addresses in nodeport-ips', () => {
    // set nodeport-ips { elements = { 192.168.0.2 } }
    // chain services { ... ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports }
    // map service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 ... }
    // chain external-4AT6LBPK-ns3/svc3/tcp/p80 { jump mark-for-masquerade; goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
    const f = byElement('tcp . 3003');
    expect(f.owner).toMatchObject({
      service: 'ns3/svc3:p80',
      serviceKind: 'NodePort',
      trafficPolicy: 'Cluster',
    });
    expect(f.catch.destination).toEqual([{ value: '192.168.0.2', negate: false }]);
    expect(branches(f)).toEqual(['10.180.0.3:80 1']);
    expect(f.branches[0]!.marks.map((r) => r.text)).toEqual([
      'jump mark-for-masquerade',
      'ip saddr 10.180.0.3 jump mark-for-masquerade',
    ]);
  });

  it('kube-proxy nftables mode: externalTrafficPolicy Local without a local endpoint', () => {
    // chain external-42NFTM6N-ns2/svc2/tcp/p80 {
    //   ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
    //   fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
    //   fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic" }
    // map no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop, ... }
    const f = byElement('1.2.3.4 . tcp . 80');
    expect(f.owner).toMatchObject({
      service: 'ns2/svc2:p80',
      serviceKind: 'External',
      trafficPolicy: 'Local',
    });
    expect(branches(f)).toEqual([
      '[ip saddr 10.0.0.0/8] 10.180.0.2:80 1',
      '[fib saddr type local] 10.180.0.2:80 1',
      '-',
    ]);
    expect(f.branches[2]!.outcomes[0]!.detail).toBe(
      'not translated here: goes on after ip/kube-proxy services #1 (handle 61); then dropped by ip/kube-proxy service-endpoints-check #1 (handle 63) element 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop',
    );
  });

  it('kube-proxy nftables mode: affinity through a dynamic set, and source ranges through a firewall chain', () => {
    // chain service-HVFWP5L3-ns5/svc5/tcp/p80 {
    //   ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-... (set: timeout 3h)
    //   numgen random mod 1 vmap { 0 : goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 } }
    // chain firewall-HVFWP5L3-ns5/svc5/tcp/p80 { ip saddr != 203.0.113.0/25 drop }
    const f = byElement('172.30.0.45 . tcp . 80');
    expect(f.owner).toMatchObject({ service: 'ns5/svc5:p80', sourceRanges: true });
    expect(f.branches[0]!.affinity).toEqual({
      seconds: 10800,
      rules: [expect.objectContaining({ chain: 'service-HVFWP5L3-ns5/svc5/tcp/p80', index: 2 })],
    });
    expect(branches(f)).toEqual(['10.180.0.3:80 1']);
  });

  it('kube-proxy nftables mode: the service without endpoints, from no-endpoint-services', () => {
    // 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain ; chain reject-chain { reject }
    const f = overall.dnat.find((x) => x.owner.kind === 'kube-proxy' && x.owner.service === 'ns6/svc6:p80')!;
    expect(f.owner).toMatchObject({ serviceKind: 'ClusterIP' });
    expect(f.branches[0]!.outcomes[0]).toMatchObject({ kind: 'reject' });
    expect(overall.dnat).toHaveLength(9 + 3 + 1);
  });

  it('kube-proxy nftables mode: masquerading of marked packets', () => {
    // chain masquerading { meta mark & 0x00004000 == 0x00000000 return; meta mark set meta mark ^ 0x00004000; masquerade fully-random }
    // chain mark-for-masquerade { meta mark set meta mark | 0x00004000 }
    const [s, ...others] = overall.snat;
    expect(others).toEqual([]);
    expect(s!.translation).toEqual({
      kind: 'masquerade',
      toSource: null,
      toPorts: null,
      flags: ['fully-random'],
    });
    expect(s!.exempt.map((e) => [e.verdict, e.rule.text])).toEqual([
      ['return', 'meta mark & 0x00004000 == 0x00000000 return'],
    ]);
    expect(s!.catch.marks).toEqual([{ value: '0x0/0x4000', negate: true }]);
    expect(s!.marks).toEqual([
      expect.objectContaining({
        mark: '0x4000/0x4000',
        setBy: [expect.objectContaining({ chain: 'mark-for-masquerade' })],
      }),
    ]);
    // 6 service chains, 5 endpoint chains, 3 NodePort/external chains with an unconditional jump, 1 external with a fib one.
    expect(s!.marks[0]!.jumps).toBe(15);
  });

  it('numgen and jhash maps in a hand-written table (captured native-features fixture)', () => {
    // chain nat_prerouting {
    //   ip daddr 10.96.0.10 tcp dport 443 dnat ip to numgen random mod 2 map { 0 : 172.18.0.2, 1 : 172.18.0.3 }
    //   tcp dport 80 redirect to :8080
    //   dnat ip to jhash ip saddr . tcp sport mod 2 seed 0xdeadbeef map { 0 : 10.1.0.1 . 80, 1 : 10.1.0.2 . 8080 } }
    const r = flowsOf(path.resolve(__dirname, '../nftables/__fixtures__/native-features.nft.json'));
    const numgen = r.dnat.find((f) => f.entry.text.includes('numgen random'))!;
    expect(branches(numgen)).toEqual(['172.18.0.2 1/2, 172.18.0.3 1/2']);
    const redirect = r.dnat.find((f) => f.entry.text.includes('redirect'))!;
    expect(redirect.branches[0]!.endpoints).toEqual([
      expect.objectContaining({ kind: 'redirect', to: ':8080', port: '8080' }),
    ]);
    const jhash = r.dnat.find((f) => f.entry.text.includes('jhash'))!;
    expect(branches(jhash)).toEqual(['10.1.0.1:80 1/2, 10.1.0.2:8080 1/2']);
    expect(jhash.notes).toEqual([
      'a hash of packet fields picks the endpoint: a given client always gets the same one',
    ]);
  });

  it('a map keyed by the source address picks per packet: no shares, and says so', () => {
    // maps-nat_addr_port.nft: map y { type ipv4_addr : ipv4_addr . inet_service; elements = { 192.168.7.2 : 10.1.1.1 . 4242 } }
    //   chain c { ... meta l4proto tcp dnat ip to ip saddr map @y ... }
    const r = flowsOf(path.join(corpusDir, 'nftables-upstream/maps-nat_addr_port.nft.json'));
    const f = r.dnat.find(
      (x) => x.entry.family === 'ip' && x.entry.text === 'meta l4proto tcp dnat ip to ip saddr map @y',
    )!;
    expect(f.branches[0]!.endpoints).toEqual([
      expect.objectContaining({ to: '10.1.1.1:4242', probability: null, chosenBy: 'ip saddr (192.168.7.2)' }),
    ]);
    expect(f.branches[0]!.endpointSum).toBeNull();
    expect(f.branches[0]!.why).toEqual([
      'the endpoint is chosen by ip saddr (192.168.7.2): one per key, no shares',
    ]);
  });

  it("Docker's nftables backend: the published port and the bridge's masquerade", () => {
    // chain nat-PREROUTING { fib daddr type local counter packets 0 bytes 0 jump nat-prerouting-and-output }
    // chain nat-prerouting-and-output { iifname != "br-dummy" tcp dport 8080 counter packets 0 bytes 0 dnat to 192.168.0.2:80 comment "DNAT" }
    // chain nat-postrouting-out__br-dummy { oifname != "br-dummy" ip saddr 192.168.0.0/24 counter ... masquerade comment "MASQUERADE" }
    const r = flowsOf(path.join(corpusDir, 'docker/moby-nftables-bridge-portmap-nat.nft.json'));
    expect(r.dnat).toHaveLength(1);
    expect(r.dnat[0]!.owner).toEqual({ kind: 'docker', chain: 'nat-prerouting-and-output' });
    expect(r.dnat[0]!.catch).toMatchObject({
      destinationType: [{ value: 'local', negate: false }],
      inInterface: [{ value: 'br-dummy', negate: true }],
      destinationPorts: [{ value: '8080', negate: false }],
    });
    expect(branches(r.dnat[0]!)).toEqual(['192.168.0.2:80 1']);
    expect(r.snat).toHaveLength(1);
    // Reached through `iifname vmap @nat-postrouting-out-jumps` ({ "br-dummy" : jump nat-postrouting-out__br-dummy }).
    expect(r.snat[0]!.catch).toMatchObject({
      source: [{ value: '192.168.0.0/24', negate: false }],
      inInterface: [{ value: 'br-dummy', negate: false }],
      outInterface: [{ value: 'br-dummy', negate: true }],
    });
  });
});

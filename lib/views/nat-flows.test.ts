import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotFlows } from '../analyze/flows';
import { Snapshot } from '../model/snapshot';
import { buildSnapshot } from '../snapshot/build';
import { corpusDir } from '../testing/corpus.test-support';
import { natIndex, natPage, type NatPageContext } from './nat-flows';
import { natLayout } from './nat-layout';
import { NatPage, NatQuery, percentText, type AddressOwner } from './nat-payload';
import { rulesetIndex } from './ruleset-index';

// The lab's nodes as packetlens' own collector captured them (public/examples). Expected values are
// read from their nat tables (line numbers as in the snapshot) and from lab.json's services.
const examples = path.resolve(__dirname, '../../public/examples');
const example = (n: number) =>
  Snapshot.parse(JSON.parse(readFileSync(path.join(examples, `node-${n}.snapshot.json`), 'utf8')));
const nodes = [example(1), example(2), example(3)];

/** The fleet's addresses as the dashboard gives them: pods first, then the nodes. */
function owners(): Map<string, AddressOwner> {
  const out = new Map<string, AddressOwner>();
  for (const h of nodes)
    for (const p of h.pods)
      for (const a of p.addresses)
        if (a.scope === 'global') out.set(a.local, { kind: 'pod', name: p.host.name, node: h.host.name });
  return out;
}

function pageOf(snap: Snapshot, query: Partial<NatQuery> = {}, ctx: Partial<NatPageContext> = {}): NatPage {
  const index = rulesetIndex(snap);
  const page = natPage(natIndex(snap, index, snapshotFlows(snap)), index, NatQuery.parse(query), {
    subject: { host: `example:${snap.host.name}`, pod: null, snapshot: null },
    owners: owners(),
    trace: { scope: 'examples', from: snap.host.name, entry: 'host', localAddress: '198.18.0.11' },
    pods: snap.pods.map((p) => p.host.name),
    ...ctx,
  });
  return NatPage.parse(page);
}

describe('NAT page of the lab node-1', () => {
  const page = pageOf(nodes[0]!);

  it('lists the host port first, then the services by name, ClusterIP before NodePort', () => {
    // 74: CNI-DN-... --dport 8080 -j DNAT --to-destination 10.244.1.2:80 (portmap, reached by addrtype LOCAL)
    // 99/100: KUBE-SERVICES for default/web:http 10.96.0.10:80 and default/api:http 10.96.0.20:8080
    // 83: KUBE-NODEPORTS default/web:http --dport 30080
    expect(page.dnat.map((f) => [f.kind, f.label, f.service])).toEqual([
      ['host-port', 'local:8080/tcp', null],
      ['cluster-ip', '10.96.0.20:8080/tcp', 'default/api:http'],
      ['cluster-ip', '10.96.0.10:80/tcp', 'default/web:http'],
      ['node-port', 'local:30080/tcp', 'default/web:http'],
    ]);
    expect(page.summary).toEqual({ services: 2, endpoints: 6, dnatFlows: 4, snatFlows: 4, incomplete: 0 });
    expect([page.matched, page.pages, page.page]).toEqual([4, 1, 1]);
  });

  it('gives default/web:http three endpoints of 1/3 each, named by the fleet, with their rules', () => {
    // 103: --probability 0.33333333349 -> KUBE-SEP-PBQ62... (94: DNAT to 10.244.1.2:80); the kernel keeps
    // 715827883 / 2^31 = 0.33333333349; 104: 0.5 of the rest -> 10.244.2.2 (92); 105: the rest -> 10.244.3.2 (88).
    const web = page.dnat.find((f) => f.label === '10.96.0.10:80/tcp')!;
    expect(web.entry).toMatchObject({ line: 99, chain: 'KUBE-SERVICES', index: 1, tableKey: 'ipt:ip/nat' });
    expect(web.uncertain).toEqual([]);
    const eps = web.branches[0]!.endpoints;
    expect(eps.map((e) => [e.to, e.share?.percent, e.share?.fraction, e.rule.line, e.owner?.node])).toEqual([
      ['10.244.1.2:80', '33.3%', '1/3', 94, 'node-1'],
      ['10.244.2.2:80', '33.3%', '1/3', 92, 'node-2'],
      ['10.244.3.2:80', '33.3%', '1/3', 88, 'node-3'],
    ]);
    expect(eps[0]!.share!.value).toBe(715827883 / 2 ** 31);
    expect(eps[0]!.owner).toEqual({ kind: 'pod', name: 'pl-lab-pod-node-1-1', node: 'node-1' });
    expect(web.trace).toEqual({
      scope: 'examples',
      from: 'node-1',
      entry: 'host',
      dst: '10.96.0.10',
      dport: 80,
      proto: 'tcp',
    });
  });

  it('traces a NodePort to an address of the host, and a host port reaches its one pod', () => {
    const nodePort = page.dnat.find((f) => f.kind === 'node-port')!;
    expect(nodePort.catchText).toBe('tcp to type LOCAL port 30080');
    expect(nodePort.trace).toMatchObject({ dst: '198.18.0.11', dport: 30080 });
    const hostPort = page.dnat[0]!;
    expect(hostPort.owner).toMatch(
      /^CNI host port \(CNI-DN-386d20ad17110b12aab46, network lab, container 6e2cd452833d\)$/,
    );
    expect(hostPort.branches[0]!.endpoints.map((e) => [e.to, e.share])).toEqual([
      ['10.244.1.2:80', { value: 1, fraction: '1', percent: '100%' }],
    ]);
  });

  it('says which pod sources leave by which interface as which address', () => {
    // 71: -A CNI-386d... ! -d 224.0.0.0/4 ... -j MASQUERADE, after 70: -d 10.244.1.0/24 -j ACCEPT: pod
    // 10.244.1.2 masquerades only towards other nodes, by eth0 (198.18.0.0/24, 10.244.2.0/24 via
    // 198.18.0.12) or eth1 (10.244.3.0/24 via 198.18.1.13), never onto its own bridge cni0.
    const pod = page.egress.find((e) => e.rule.line === 71)!;
    expect(pod.sources).toBe('from 10.244.1.2/32 to !224.0.0.0/4 and !10.244.1.0/24');
    expect(pod.interfaces.map((i) => [i.name, i.sources.map((s) => s.address)])).toEqual([
      ['eth0', ['198.18.0.11']],
      ['eth1', ['198.18.1.1']],
    ]);
    // 86: kube-proxy's MASQUERADE of marked packets, on every interface with a route.
    const kube = page.egress.find((e) => e.rule.line === 86)!;
    expect([kube.translation, kube.owner, kube.sources]).toEqual([
      'MASQUERADE (random-fully)',
      'kube-proxy',
      'mark 0x4000/0x4000',
    ]);
    expect(kube.interfaces.map((i) => `${i.name} ${i.sources[0]!.address}`)).toEqual([
      'cni0 10.244.1.1',
      'eth0 198.18.0.11',
      'eth1 198.18.1.1',
    ]);
    expect(kube.exempt.map((x) => x.rule.text)).toEqual([
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    ]);
  });

  it('names the source address per next hop when an interface has several', () => {
    // inet_select_addr: the first primary global address in the next hop's subnet.
    const snap = structuredClone(nodes[0]!);
    const eth1 = snap.addresses.find((a) => a.ifname === 'eth1' && a.family === 'ip')!;
    snap.addresses.push({ ...eth1, local: '192.0.2.1', prefixlen: 24, broadcast: null });
    const via = snap.routes.find((r) => r.dst === '10.244.3.0/24')!;
    snap.routes.push({ ...via, dst: '203.0.113.0/24', dstText: '203.0.113.0/24', gateway: '192.0.2.254' });
    const pod = pageOf(snap).egress.find((e) => e.rule.line === 71)!;
    expect(pod.interfaces.find((i) => i.name === 'eth1')!.sources).toEqual([
      { address: '198.18.1.1', when: 'to 10.244.3.0/24 via 198.18.1.13, 198.18.1.0/24' },
      { address: '192.0.2.1', when: 'to 203.0.113.0/24 via 192.0.2.254' },
    ]);
  });
});

describe('NAT search and pages', () => {
  const labels = (query: Partial<NatQuery>) => pageOf(nodes[0]!, query).dnat.map((f) => f.label);

  it('finds a service by its name or part of it', () => {
    expect(labels({ q: 'default/web:http' })).toEqual(['10.96.0.10:80/tcp', 'local:30080/tcp']);
    expect(labels({ q: 'API' })).toEqual(['10.96.0.20:8080/tcp']);
  });

  it('finds flows by port, VIP, CIDR and endpoint address; every word must match', () => {
    expect(labels({ q: '30080' })).toEqual(['local:30080/tcp']);
    // Port 80 exactly: web's VIP port and the endpoints' port 80, never api's 8080.
    expect(labels({ q: '80' })).toEqual(['local:8080/tcp', '10.96.0.10:80/tcp', 'local:30080/tcp']);
    expect(labels({ q: '10.96.0.20' })).toEqual(['10.96.0.20:8080/tcp']);
    expect(labels({ q: '10.96.0.0/12' })).toEqual(['10.96.0.20:8080/tcp', '10.96.0.10:80/tcp']);
    expect(labels({ q: '10.244.1.2' })).toEqual(['local:8080/tcp', '10.96.0.10:80/tcp', 'local:30080/tcp']);
    expect(labels({ q: 'default/web 30080' })).toEqual(['local:30080/tcp']);
    expect(pageOf(nodes[0]!, { q: 'nothing-like-this' })).toMatchObject({ matched: 0, pages: 0, dnat: [] });
  });

  it('pages the matches', () => {
    const p = pageOf(nodes[0]!, { pageSize: 3, page: 2 });
    expect([p.matched, p.pages, p.page, p.dnat.map((f) => f.label)]).toEqual([4, 2, 2, ['local:30080/tcp']]);
  });
});

describe('NAT page of the lab node-2 (Docker) and node-3 (kube-proxy nftables mode)', () => {
  it('shows the Docker host port and the masquerade of the docker bridge leaving by other interfaces', () => {
    const page = pageOf(nodes[1]!);
    expect(page.dnat[0]).toMatchObject({
      kind: 'host-port',
      label: 'local:8081/tcp',
      owner: 'Docker (DOCKER)',
    });
    expect(page.dnat[0]!.branches[0]!.endpoints.map((e) => [e.to, e.share?.percent])).toEqual([
      ['172.17.0.2:80', '100%'],
    ]);
    const docker = page.egress.find((e) => e.owner === 'rule')!;
    expect(docker.sources).toBe('from 172.17.0.0/16 out !docker0');
    expect(docker.interfaces.map((i) => i.name)).toEqual(['cni0', 'eth0']);
  });

  it('links nft rules to their native table', () => {
    const page = pageOf(nodes[2]!);
    const web = page.dnat.find((f) => f.label === '10.96.0.10:80/tcp')!;
    expect(web.entry).toMatchObject({ source: 'nftables', tableKey: 'nft:ip/kube-proxy', line: null });
    expect(web.branches[0]!.endpoints.map((e) => e.share?.fraction)).toEqual(['1/3', '1/3', '1/3']);
  });
});

describe('flows that hold only for some packets', () => {
  // kubernetes' own fixture: 48: "ns2/svc2:p80 external IP" -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZ...,
  // externalTrafficPolicy Local with no local endpoint: pod sources (58: -s 10.0.0.0/8) and local
  // sources (60: --src-type LOCAL) go to the service; the rest falls through to the filter's DROP.
  const file = path.join(corpusDir, 'kubernetes', 'kubeproxy-iptables-overall.iptables');
  const snap = buildSnapshot([{ origin: file, text: readFileSync(file, 'utf8') }], { host: 'overall' });
  const page = pageOf(snap, { q: '192.168.99.22' }, { owners: new Map(), trace: null });
  const flow = page.dnat[0]!;

  it('names each case and the outcome of the rest', () => {
    expect(page.matched).toBe(1);
    expect(flow.branches.map((b) => b.when)).toEqual([
      ['-s 10.0.0.0/8'],
      ['-m addrtype --src-type LOCAL'],
      [],
    ]);
    expect(flow.uncertain.slice(0, 3)).toEqual([
      'a case of its own: packets matching -s 10.0.0.0/8',
      'a case of its own: packets matching -m addrtype --src-type LOCAL',
      'a case of its own: every other packet (“otherwise”)',
    ]);
    expect(flow.branches[2]!.outcomes[0]!.kind).toBe('falls-through');
    expect(flow.trace).toBeNull();
  });

  it('draws every band of it dashed, labelled with its case', () => {
    const layout = natLayout([flow]);
    expect(layout.links.every((l) => l.conditional)).toBe(true);
    expect(layout.links.map((l) => l.label)).toEqual([
      '100% when -s 10.0.0.0/8',
      '100% when -m addrtype --src-type LOCAL',
      '100% otherwise',
    ]);
    expect(layout.nodes.find((n) => n.kind === 'catch')!.uncertain).toBe(true);
  });
});

describe('NAT diagram layout', () => {
  it('merges endpoints shared by flows and makes bands as wide as their share', () => {
    const web = pageOf(nodes[0]!, { q: 'default/web:http' }).dnat;
    const layout = natLayout(web);
    expect(layout.nodes.filter((n) => n.kind === 'endpoint').map((n) => [n.title, n.detail])).toEqual([
      ['10.244.1.2:80', 'pl-lab-pod-node-1-1 on node-1'],
      ['10.244.2.2:80', 'pl-lab-pod-node-2-1 on node-2'],
      ['10.244.3.2:80', 'pl-lab-pod-node-3-1 on node-3'],
    ]);
    expect(layout.links).toHaveLength(6);
    expect(new Set(layout.links.map((l) => l.label))).toEqual(new Set(['33.3% (1/3)']));
    expect(layout.links.every((l) => !l.conditional && Math.abs(l.width - 28 / 3) < 1e-6)).toBe(true);
  });

  it('prints shares with one decimal, more only where that would show 0', () => {
    expect([1 / 3, 0.5, 1, 0, 2 ** -31].map(percentText)).toEqual([
      '33.3%',
      '50.0%',
      '100%',
      '0%',
      '0.0000000466%',
    ]);
  });
});

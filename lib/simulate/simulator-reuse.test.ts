import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeProxyIptablesSave, kubeProxyServices } from '../generate/kube-proxy-iptables';
import type { Snapshot } from '../model/snapshot';
import type { TraceQuery } from './query';
import { simulatorBuild } from './simulate';
import { receivedQuery, testHost } from './testing/node.test-support';

/**
 * A simulator keeps what it worked out per rule (a target's outcome when it is the same for every
 * packet, a MARK's last outcome with the mark it was for, where a jump goes): whatever it traced
 * before, each packet must get the answer a fresh simulator gives it. The packets come in an
 * order that puts different marks, ports and addresses through the same rules one after another.
 */

const targets = `*mangle
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 80 -j MARK --set-xmark 0x10/0xf0
-A PREROUTING -p tcp --dport 81 -j MARK --or-mark 0x100
-A PREROUTING -j CONNMARK --save-mark
-A POSTROUTING -p udp -j CONNMARK --set-mark 0x5/0xf
-A POSTROUTING -m mark --mark 0x10/0xf0 -j CONNMARK --restore-mark
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.96.0.1/32 -p tcp -j DNAT --to-destination 10.1.0.1-10.1.0.3:8080-8090
-A PREROUTING -d 10.96.0.2/32 -p tcp -j DNAT --to-destination 10.1.0.5:9000
-A PREROUTING -d 10.96.0.3/32 -p tcp -j DNAT --to-destination 10.1.0.6
-A PREROUTING -d 10.96.0.4/32 -p tcp -j REDIRECT --to-ports 3000-3005
-A POSTROUTING -s 203.0.113.0/25 -o eth0 -j MASQUERADE --to-ports 20000-20010
-A POSTROUTING -o eth0 -j SNAT --to-source 192.168.0.50-192.168.0.51
COMMIT
`;

function node(iptables: string[], nftJson?: string): Snapshot {
  return testHost({
    name: 'node',
    ifaces: [
      { name: 'eth0', addresses: ['192.168.0.2/24'] },
      { name: 'eth1', addresses: ['10.1.0.254/16'] },
    ],
    routes: [{ dst: 'default', via: '192.168.0.1', dev: 'eth0' }],
    iptables,
    nftJson,
  });
}

function q(dst: string, dport: number, over: Partial<TraceQuery> = {}): TraceQuery {
  return receivedQuery(dst, dport, { reply: true, ...over });
}

/** Every query through one simulator, in order, each against a fresh simulator. */
function expectReuseHarmless(snapshots: Snapshot[], queries: TraceQuery[]) {
  for (const naive of [false, true]) {
    const reused = simulatorBuild(snapshots, { naive });
    for (const query of queries)
      expect(reused.trace(query)).toEqual(simulatorBuild(snapshots, { naive }).trace(query));
  }
}

describe('a simulator that traced other packets answers as a fresh one', () => {
  it('through MARK, CONNMARK, NAT ranges, REDIRECT, MASQUERADE and SNAT rules', () => {
    const queries: TraceQuery[] = [];
    for (const mark of [0, 0x4000, 0xff, 0x10])
      for (const [dst, dport] of [
        ['10.96.0.1', 80],
        ['10.96.0.1', 8085],
        ['10.96.0.2', 81],
        ['10.96.0.3', 80],
        ['10.96.0.4', 3003],
        ['10.96.0.4', 22],
        ['198.51.100.7', 81],
      ] as const) {
        queries.push(q(dst, dport, { mark }), q(dst, dport, { mark, proto: 'udp', sport: 20005 }));
        queries.push(q(dst, dport, { mark, src: '203.0.113.200', sport: 20003 }));
      }
    expectReuseHarmless([node([targets])], queries);
  });

  it('on a kube-proxy node, services and NodePorts in turn', () => {
    const opts = { services: 40, endpointsPerService: 3, nodePortEvery: 3 };
    const queries: TraceQuery[] = [];
    for (const s of kubeProxyServices(opts)) {
      queries.push(q(s.clusterIp, s.port), q(s.clusterIp, s.port, { mark: 0x4000, state: 'established' }));
      if (s.nodePort !== null) queries.push(q('192.168.0.2', s.nodePort));
    }
    expectReuseHarmless([node([kubeProxyIptablesSave(opts)])], queries);
  });

  it('through native nft chains', () => {
    const nftJson = readFileSync(
      path.join(__dirname, '../nftables/__fixtures__/sim-semantics.nft.json'),
      'utf8',
    );
    const queries = ['10.96.0.10', '10.1.0.1', '192.168.0.2', '8.8.8.8'].flatMap((dst) =>
      [80, 443, 22].flatMap((dport) => [q(dst, dport), q(dst, dport, { mark: 1 })]),
    );
    expectReuseHarmless([node([], nftJson)], queries);
  });
});

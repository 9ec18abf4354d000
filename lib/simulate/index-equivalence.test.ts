import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kubeProxyIptablesSave, kubeProxyServices } from '../generate/kube-proxy-iptables';
import { corpusDir, filesUnder, iptablesDumpName } from '../testing/corpus.test-support';
import type { TraceQuery } from './query';
import { simulatorBuild } from './simulate';
import { receivedQuery, testHost } from './testing/node.test-support';

/**
 * The per-chain index only narrows which rules a packet is offered: every trace must equal the
 * naive walk of every rule, on generated kube-proxy nodes and on the real corpus dumps.
 */

function query(dst: string, dport: number, proto: 'tcp' | 'udp' = 'tcp', src = '203.0.113.2'): TraceQuery {
  return receivedQuery(dst, dport, { proto, src });
}

function host(text: string) {
  return testHost({
    name: 'node',
    ifaces: [{ name: 'eth0', addresses: ['192.168.0.2/24'] }],
    routes: [{ dst: 'default', via: '192.168.0.1', dev: 'eth0' }],
    iptables: [text],
  });
}

describe('indexed walk equals the naive walk', () => {
  it('on a kube-proxy node with NodePorts, for services, NodePorts and other addresses', () => {
    const opts = { services: 300, endpointsPerService: 3, nodePortEvery: 4 };
    const h = host(kubeProxyIptablesSave(opts));
    const indexed = simulatorBuild([h]);
    const naive = simulatorBuild([h], { naive: true });
    const queries: TraceQuery[] = [];
    for (const s of kubeProxyServices(opts).slice(0, 60)) {
      queries.push(
        query(s.clusterIp, s.port),
        query(s.clusterIp, s.port + 1),
        query(s.clusterIp, s.port, 'udp'),
        // From one of its own endpoints: the KUBE-SEP rule for that source host matches (hairpin).
        query(s.clusterIp, s.port, 'tcp', s.endpoints[1]!.split(':')[0]),
      );
      if (s.nodePort !== null) queries.push(query('192.168.0.2', s.nodePort));
    }
    queries.push(query('198.51.100.7', 443), query('192.168.0.2', 22));
    for (const q of queries) expect(indexed.trace(q)).toEqual(naive.trace(q));
  });

  const dumps = filesUnder(corpusDir, iptablesDumpName).filter((f) => !f.includes('ip6tables'));
  it.skipIf(dumps.length === 0).each(dumps)('on %s', (file) => {
    const text = readFileSync(file, 'utf8');
    const h = host(text);
    const indexed = simulatorBuild([h]);
    const naive = simulatorBuild([h], { naive: true });
    // Every destination address and port the dump names, plus one it does not.
    const addrs = new Set(['198.51.100.7', '192.168.0.2']);
    for (const m of text.matchAll(/-d (\d+\.\d+\.\d+\.\d+)(?:\/32)?\s/g)) addrs.add(m[1]!);
    const ports = new Set([80, 443]);
    for (const m of text.matchAll(/--dport (\d+)\b/g)) ports.add(Number(m[1]));
    let n = 0;
    for (const a of [...addrs].slice(0, 40))
      for (const p of [...ports].slice(0, 6)) {
        expect(indexed.trace(query(a, p))).toEqual(naive.trace(query(a, p)));
        n++;
      }
    expect(n).toBeGreaterThan(0);
  });
});

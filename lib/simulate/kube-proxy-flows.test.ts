import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir } from '../testing/corpus.test-support';
import { simulate } from './simulate';
import type { TracePath } from './result';
import { testHost } from './testing/node.test-support';

/**
 * kube-proxy's own packet-flow expectations (../shared/fixtures/real/kubernetes/flows.json, from its
 * proxier unit tests) against the simulator. Those tests start at nat KUBE-SERVICES; a real node
 * also has the jump rules kube-proxy installs separately, so each fixture gets them (for the chains
 * it has) and the packet enters the node as the kernel would see it.
 */

interface Flow {
  fixture: string;
  case: string;
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'sctp';
  dport: number;
  output: string;
  masq: boolean;
  node_ips: string[];
  tracer: string;
}

const dir = path.join(corpusDir, 'kubernetes');
const flowsFile = path.join(dir, 'flows.json');
const flows: Flow[] = existsSync(flowsFile)
  ? (JSON.parse(readFileSync(flowsFile, 'utf8')) as { flows: Flow[] }).flows
  : [];

// kube-proxy's iptablesJumpChains (pkg/proxy/iptables/proxier.go): installed apart from the restore payload.
const jumps: Record<string, string[]> = {
  filter: [
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  ],
  nat: [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
  ],
};

/** The payload plus the jump rules to chains it declares, unless it already has built-in rules. */
function withJumps(text: string): string {
  const out: string[] = [];
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    if (line === 'COMMIT') {
      const section = text.slice(
        text.indexOf(`*${table}`),
        text.indexOf('COMMIT', text.indexOf(`*${table}`)),
      );
      if (!/^-A (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /m.test(section))
        for (const j of jumps[table] ?? []) {
          const target = / -j (\S+)$/.exec(j)![1]!;
          if (section.includes(`\n:${target} `)) out.push(j);
        }
    }
    out.push(line);
  }
  return out.join('\n');
}

function node(flow: Flow) {
  const v4 = flow.node_ips.filter((ip) => !ip.includes(':'));
  const v6 = flow.node_ips.filter((ip) => ip.includes(':'));
  const text = readFileSync(path.join(dir, flow.fixture), 'utf8');
  return testHost({
    name: 'node',
    ifaces: [{ name: 'eth0', addresses: [...v4.map((ip) => `${ip}/24`), ...v6.map((ip) => `${ip}/64`)] }],
    routes: [
      { dst: 'default', via: '192.168.0.1', dev: 'eth0' },
      { dst: 'default', via: '2001:db8::ffff', dev: 'eth0' },
    ],
    iptables: [withJumps(text)],
  });
}

function endpoints(paths: readonly TracePath[]): string[] {
  const out = new Set<string>();
  for (const p of paths)
    for (const s of p.steps)
      if (s.kind === 'rule' && s.verdict.startsWith('DNAT to ')) out.add(s.verdict.slice('DNAT to '.length));
  return [...out].sort();
}

function outcome(paths: readonly TracePath[]): string {
  const eps = endpoints(paths);
  if (eps.length > 0) return eps.join(', ');
  const byRule = paths.find((p) => p.disposition === 'dropped' || p.disposition === 'rejected');
  if (byRule) return byRule.disposition === 'dropped' ? 'DROP' : 'REJECT';
  const acceptedByKube = paths.some((p) =>
    p.steps.some((s) => s.kind === 'rule' && s.verdict === 'ACCEPT' && s.chain === 'KUBE-NODEPORTS'),
  );
  return acceptedByKube ? 'ACCEPT' : '';
}

describe.skipIf(flows.length === 0)("kube-proxy's expected packet flows", () => {
  it.each(flows.map((f) => [`${f.fixture}: ${f.case}`, f] as const))('%s', (_name, flow) => {
    const host = node(flow);
    const local = flow.node_ips.includes(flow.src);
    const r = simulate([host], {
      src: flow.src,
      sport: 40000,
      dst: flow.dst,
      dport: flow.dport,
      proto: flow.proto,
      entry: local ? { kind: 'local', host: null } : { kind: 'iif', host: null, iface: 'eth0' },
      state: 'new',
      mark: 0,
      reply: false,
      // kube-proxy's tracer takes `-m recent --rcheck` as never matching: a client's first connection.
      assumeNewClient: true,
    });
    expect(
      r.paths.every((p) => p.disposition !== 'undecided'),
      JSON.stringify(r.paths.map((p) => p.verdict)),
    ).toBe(true);
    const expected = flow.output.split(', ').sort().join(', ');
    expect(outcome(r.paths)).toBe(expected);
    const masq = r.paths.some((p) => p.steps.some((s) => s.chain === 'KUBE-MARK-MASQ'));
    expect(masq).toBe(flow.masq);
    expect(r.paths.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 6);
  });
});

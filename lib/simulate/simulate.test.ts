import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeProxyIptablesSave } from '../generate/kube-proxy-iptables';
import type { TraceQuery } from './query';
import type { TracePath } from './result';
import { simulate, TraceError } from './simulate';
import type { TestHost } from './testing/node.test-support';
import { receivedQuery, testHost, testRoute } from './testing/node.test-support';

/**
 * Simulator semantics on hand-built hosts. Expectations come from reading the rules (quoted beside
 * each case), not from the simulator's output. The native chains are
 * lib/nftables/__fixtures__/sim-semantics.nft, captured from nft itself.
 */

const nftJson = readFileSync(path.join(__dirname, '../nftables/__fixtures__/sim-semantics.nft.json'), 'utf8');

// A router between clients on v0 (198.18.0.0/24) and backends on v1 (10.1.0.0/16).
function router(extra: Partial<TestHost> = {}) {
  return testHost({
    name: 'router',
    ifaces: [
      { name: 'v0', addresses: ['198.18.0.1/24', 'fd00:18::1/64'] },
      { name: 'v1', addresses: ['10.1.0.254/16', 'fd00:1::fe/64'] },
    ],
    nftJson,
    ...extra,
  });
}

function q(dst: string, dport: number | null, over: Partial<TraceQuery> = {}): TraceQuery {
  return {
    src: '198.18.0.50',
    sport: 40000,
    dst,
    dport,
    proto: 'tcp',
    entry: { kind: 'iif', host: 'router', iface: 'v0' },
    state: 'new',
    mark: 0,
    reply: false,
    ...over,
  };
}

function ruleSteps(p: TracePath) {
  return p.steps
    .filter((s) => s.kind === 'rule')
    .map((s) => `${s.table} ${s.chain}: ${s.rule?.text} => ${s.verdict}`);
}

describe('native nft chains', () => {
  it('numgen random mod 3 DNAT: three paths of 1/3, each accepted by `ct status dnat` and forwarded by v1', () => {
    // nat_pre: ip daddr 10.96.0.10 tcp dport 80 dnat ip to numgen random mod 3 map { 0 : 10.1.0.1, 1 : 10.1.0.2, 2 : 10.1.0.3 }
    const r = simulate([router()], q('10.96.0.10', 80));
    expect(r.paths.map((p) => p.final.dst).sort()).toEqual(['10.1.0.1', '10.1.0.2', '10.1.0.3']);
    for (const p of r.paths) {
      expect(p.probability).toBeCloseTo(1 / 3, 12);
      expect(p.disposition).toBe('forwarded');
      expect(p.final).toMatchObject({ host: 'router', src: '198.18.0.50', dport: 80, oif: 'v1' });
      expect(ruleSteps(p)).toEqual([
        `sim nat_pre: ip daddr 10.96.0.10 tcp dport 80 dnat ip to numgen random mod 3 map { 0 : 10.1.0.1, 1 : 10.1.0.2, 2 : 10.1.0.3 } => dnat to ${p.final.dst}`,
        'sim forward_filter: ct status dnat accept => accept',
      ]);
      const dnat = p.steps.find((s) => s.chain === 'nat_pre')!;
      expect(dnat.changed).toEqual(['dst']);
      expect(dnat.hook).toBe('PREROUTING');
    }
    // early_forward (priority -200) runs before forward_filter (priority filter) at FORWARD.
    const chains = r.paths[0]!.steps.filter((s) => s.hook === 'FORWARD').map((s) => s.chain);
    expect(chains).toEqual(['early_forward', 'forward_filter']);
  });

  it('dnat to one address and port', () => {
    // ip daddr 10.96.0.11 tcp dport 80 dnat ip to 10.1.0.1:8080
    const [p, ...rest] = simulate([router()], q('10.96.0.11', 80)).paths;
    expect(rest).toEqual([]);
    expect(p!.final).toMatchObject({ dst: '10.1.0.1', dport: 8080, oif: 'v1' });
    expect(p!.choices).toEqual([]);
  });

  it('IPv6 DNAT with a port', () => {
    // ip6 daddr fd00:96::10 tcp dport 80 dnat ip6 to [fd00:1::5]:8080
    const [p] = simulate([router()], q('fd00:96::10', 80, { src: 'fd00:18::50' })).paths;
    expect(p!.final).toMatchObject({ dst: 'fd00:1::5', dport: 8080, oif: 'v1' });
  });

  it('an earlier base chain drops: early_forward `tcp dport 2222 drop`', () => {
    const [p] = simulate([router()], q('10.1.0.7', 2222)).paths;
    expect(p!.disposition).toBe('dropped');
    const last = p!.steps.at(-1)!;
    expect(last).toMatchObject({
      chain: 'early_forward',
      verdict: 'drop',
      rule: { index: 1, text: 'tcp dport 2222 drop' },
    });
  });

  it('a base chain policy drop is a step without a rule', () => {
    const [p] = simulate([router()], q('10.1.0.7', 9999)).paths;
    expect(p!.disposition).toBe('dropped');
    expect(p!.steps.at(-1)).toMatchObject({
      kind: 'policy',
      chain: 'forward_filter',
      rule: null,
      verdict: 'DROP',
    });
  });

  it('a rate limit before accept is undecided, and says so', () => {
    // udp dport 53 limit rate 10/second accept
    const [p] = simulate([router()], q('10.1.0.7', 53, { proto: 'udp' })).paths;
    expect(p!.disposition).toBe('undecided');
    expect(p!.steps.at(-1)).toMatchObject({ kind: 'undecided', chain: 'forward_filter', rule: { index: 4 } });
    expect(p!.steps.at(-1)!.note).toMatch(/limit/);
  });

  it('a rate limit before a log only changes nothing: the walk goes on to the reject', () => {
    // tcp dport 23 limit rate 1/second log prefix "telnet " ; tcp dport 23 reject with tcp reset
    const [p] = simulate([router()], q('10.1.0.7', 23)).paths;
    expect(p!.disposition).toBe('rejected');
    const limited = p!.steps.find((s) => s.rule?.index === 5)!;
    expect(limited.note).toMatch(/may not match/);
    expect(p!.steps.at(-1)).toMatchObject({
      rule: { index: 6, text: 'tcp dport 23 reject with tcp reset' },
      verdict: 'reject',
    });
  });

  it('masquerade takes the outgoing interface address', () => {
    // ip saddr 10.1.0.0/16 oifname "v0" masquerade; forward_filter: tcp dport 22 accept
    const [p] = simulate(
      [router()],
      q('198.18.0.50', 22, { src: '10.1.0.1', entry: { kind: 'iif', host: 'router', iface: 'v1' } }),
    ).paths;
    expect(p!.final).toMatchObject({ src: '198.18.0.1', dst: '198.18.0.50', oif: 'v0' });
    expect(p!.steps.find((s) => s.chain === 'nat_post')!.verdict).toBe('masquerade as 198.18.0.1 (v0)');
  });

  it('forwarding disabled by sysctl ends at the routing decision', () => {
    const [p] = simulate([router({ sysctls: { 'net.ipv4.ip_forward': '0' } })], q('10.1.0.7', 22)).paths;
    expect(p!.disposition).toBe('rejected');
    expect(p!.steps.at(-1)).toMatchObject({ kind: 'drop', hook: 'routing', verdict: 'forwarding disabled' });
  });

  it('a later packet of the connection: the nat chain is replaced by conntrack, `ct state established` accepts', () => {
    const [p] = simulate([router()], q('10.96.0.11', 80, { state: 'established' })).paths;
    expect(p!.final).toMatchObject({ dst: '10.1.0.1', dport: 8080 });
    const nat = p!.steps.find((s) => s.chain === 'nat_pre')!;
    expect(nat.kind).toBe('conntrack');
    expect(p!.steps.filter((s) => s.chain === 'forward_filter').map((s) => s.rule?.text)).toEqual([
      'ct state established,related accept',
    ]);
  });
});

describe('routing', () => {
  const marking = [
    '*mangle',
    ':PREROUTING ACCEPT [0:0]',
    '-A PREROUTING -i v0 -p tcp -m tcp --dport 7001 -j MARK --set-xmark 0x2/0xffffffff',
    'COMMIT',
    '',
  ].join('\n');
  const host = () =>
    testHost({
      name: 'router',
      ifaces: [
        { name: 'v0', addresses: ['198.18.0.1/24'] },
        { name: 'v1', addresses: ['10.1.0.254/16'] },
      ],
      routes: [{ dst: 'default', via: '10.1.0.200', dev: 'v1', table: '100' }],
      rules: [{ family: 'ip', priority: 100, fwmark: 2, fwmask: 0xffffffff, table: '100' }],
      iptables: [marking],
    });

  it('a fwmark set in mangle PREROUTING selects the policy rule and its table', () => {
    const [p] = simulate([host()], q('203.0.113.9', 7001)).paths;
    expect(p!.disposition).toBe('forwarded');
    expect(p!.final.oif).toBe('v1');
    const route = p!.steps.find((s) => s.kind === 'route')!;
    expect(route).toMatchObject({ table: '100', verdict: 'via 10.1.0.200 dev v1' });
    expect(route.packet.mark).toBe(2);
  });

  it('a multipath route forks by nexthop weight (1 and 3: a quarter and three quarters)', () => {
    const h = host();
    h.routes.push(
      testRoute({
        family: 'ip',
        dst: '203.0.113.0/24',
        nexthops: [
          { gateway: '10.1.0.200', dev: 'v1', weight: 1, flags: [] },
          { gateway: '198.18.0.254', dev: 'v0', weight: 3, flags: [] },
        ],
      }),
    );
    const r = simulate([h], q('203.0.113.9', 7002));
    expect(r.paths.map((p) => [p.final.oif, p.probability, p.disposition])).toEqual([
      ['v0', 0.75, 'forwarded'],
      ['v1', 0.25, 'forwarded'],
    ]);
  });

  it('without the mark there is no route', () => {
    const [p] = simulate([host()], q('203.0.113.9', 7002)).paths;
    expect(p!.disposition).toBe('rejected');
    expect(p!.verdict).toBe('no route to host');
  });
});

describe('across hosts and back', () => {
  const backend = () =>
    testHost({
      name: 'backend',
      ifaces: [{ name: 'eth0', addresses: ['10.1.0.1/16'] }],
      routes: [{ dst: 'default', via: '10.1.0.254', dev: 'eth0' }],
    });

  it('the packet reaches the backend that owns the DNAT address; the reply is un-DNATed on the router', () => {
    const [p] = simulate([router(), backend()], q('10.96.0.11', 80, { reply: true })).paths;
    expect(p!.disposition).toBe('local');
    expect(p!.final).toMatchObject({ host: 'backend', src: '198.18.0.50', dst: '10.1.0.1', dport: 8080 });
    const reply = p!.reply!;
    expect(reply.disposition).toBe('forwarded');
    // conntrack puts the service address back as the reply's source at POSTROUTING.
    expect(reply.final).toMatchObject({
      host: 'router',
      src: '10.96.0.11',
      sport: 80,
      dst: '198.18.0.50',
      dport: 40000,
      oif: 'v0',
    });
    const undnat = reply.steps.find((s) => s.kind === 'conntrack')!;
    expect(undnat).toMatchObject({ host: 'router', hook: 'POSTROUTING', changed: ['src', 'sport'] });
    expect(reply.steps.filter((s) => s.chain === 'forward_filter').map((s) => s.rule?.text)).toEqual([
      'ct state established,related accept',
    ]);
  });
});

describe('kube-proxy statistic cascade', () => {
  it('three endpoints get 1/3 each, not 0.333, 0.5 and 1', () => {
    const h = testHost({
      name: 'node',
      ifaces: [{ name: 'eth0', addresses: ['192.168.0.2/24'] }],
      routes: [{ dst: 'default', via: '192.168.0.1', dev: 'eth0' }],
      iptables: [kubeProxyIptablesSave({ services: 3, endpointsPerService: 3 })],
    });
    const r = simulate([h], {
      ...q('172.30.0.1', 80),
      src: '10.0.0.99',
      entry: { kind: 'iif', host: 'node', iface: 'eth0' },
    });
    expect(r.paths).toHaveLength(3);
    for (const p of r.paths) expect(p.probability).toBeCloseTo(1 / 3, 8);
    // Steps in chains jumped to name the base chain the hook called, and the engine.
    const sep = r.paths[0]!.steps.find((s) => s.chain?.startsWith('KUBE-SEP-'))!;
    expect(sep).toMatchObject({ baseChain: 'PREROUTING', source: 'iptables', table: 'nat' });
    expect(r.paths.map((p) => p.final.dst).sort()).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4']);
  });
});

describe('long paths', () => {
  it('5,000 jumps that each return are walked without exhausting the stack', () => {
    // -A FORWARD -j X, 5,000 times; X is empty, so each jump returns and the walk goes on.
    const rules = Array.from({ length: 5000 }, () => '-A FORWARD -j X').join('\n');
    const filter = `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:X - [0:0]\n${rules}\nCOMMIT\n`;
    const h = testHost({
      name: 'node',
      ifaces: [{ name: 'eth0', addresses: ['192.168.0.2/24'] }],
      routes: [{ dst: 'default', via: '192.168.0.1', dev: 'eth0' }],
      iptables: [filter],
    });
    const [p, ...more] = simulate([h], receivedQuery('198.51.100.1', 443)).paths;
    expect(more).toHaveLength(0);
    expect(p!.disposition).toBe('forwarded');
    expect(p!.steps.filter((s) => s.table === 'filter' && s.verdict === 'jump X')).toHaveLength(5000);
  });
});

describe('bad queries', () => {
  it('name what is wrong', () => {
    expect(() => simulate([router()], q('not-a-service', 80))).toThrow(TraceError);
    expect(() =>
      simulate([router()], q('10.1.0.7', 80, { entry: { kind: 'iif', host: 'router', iface: 'nope' } })),
    ).toThrow(/router has no interface 'nope'/);
    expect(() => simulate([router()], q('10.1.0.7', null))).toThrow(/needs --dport/);
  });

  it('a service whose KUBE-SERVICES rule names a network, not one address, is refused by name', () => {
    const nat = `*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
-A KUBE-SERVICES -d 10.96.0.0/24 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j ACCEPT
COMMIT
`;
    expect(() => simulate([router({ iptables: [nat] })], q('default/web:http', null))).toThrow(
      "service 'default/web:http' has '10.96.0.0/24' (router ip nat KUBE-SERVICES line 4), which is not one address",
    );
  });
});

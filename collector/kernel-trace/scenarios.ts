import type { KubeProxyNode } from '../../lib/generate/kube-proxy-lab';
import { kubeProxyIptablesRestore, kubeProxyNftScript } from '../../lib/generate/kube-proxy-lab';
import type { Probe } from '../../lib/kernel-trace/probe';
import { dockerIptablesRestore } from '../lab/docker-rules';
import type {
  LinkEnd,
  RulesTool,
  Scenario,
  ScenarioExpectation,
  ScenarioProbe,
  ScenarioSpec,
} from './scenario';

/**
 * The scenarios the kernel oracle is proven on. Each one is a few namespaces with real rules, the
 * probes to send and what the kernel is expected to do with them. The expectations exist only for
 * the harness' own tests (kernel-trace.int.test.ts); a comparison with the simulator must take the
 * kernel's path from the trace, never from here.
 *
 * Addresses: 10.77.0.0/16 and fd77::/16, only ever inside these namespaces. Source ports 61000 and
 * up, outside Linux's ephemeral range (32768-60999), so no other socket picks them.
 */

export type IptablesBackend = 'nft' | 'legacy';

function iptables(backend: IptablesBackend, family: 'ip' | 'ip6' = 'ip'): RulesTool {
  return `${family === 'ip6' ? 'ip6tables' : 'iptables'}-${backend}`;
}

/** A scenario whose probes are traced in every one of its namespaces. */
function scenarioOf(spec: ScenarioSpec, probes: ScenarioProbe[]): Scenario {
  return { spec, traced: spec.roles, probes };
}

/** An iptables-restore payload of one table. */
function restore(
  role: string,
  tool: RulesTool,
  table: string,
  ...lines: string[]
): { role: string; tool: RulesTool; text: string } {
  return { role, tool, text: [`*${table}`, ...lines, 'COMMIT', ''].join('\n') };
}

/** One end of a veth: its namespace role, interface name and addresses. */
function end(role: string, ifname: string, ...addrs: string[]): LinkEnd {
  return { role, ifname, addrs };
}

/** The role's default route via the gateway (IPv4 or IPv6). */
function defaultVia(role: string, gateway: string): { role: string; args: string[] } {
  return {
    role,
    args: [...(gateway.includes(':') ? ['-6'] : []), 'route', 'add', 'default', 'via', gateway],
  };
}

/** The rule expected to match at one hop: where, its text (a part of it) and its verdict. */
function ruleAt(
  role: string,
  hook: string,
  table: string,
  chain: string,
  text: string,
  verdict: string,
): NonNullable<ScenarioExpectation['rule']> {
  return { role, hook, table, chain, text, verdict };
}

/** A probe the kernel delivers, answered by a listener or the stack, with the answer coming back. */
function delivered(
  endsIn: string | readonly string[],
  outcome: 'connected' | 'answered',
  replyTo: string,
  more: Partial<ScenarioExpectation> = {},
): ScenarioExpectation {
  return {
    disposition: 'delivered',
    endsIn,
    outcome,
    ...more,
    reply: { disposition: 'delivered', endsIn: replyTo },
  };
}

/**
 * (a) A router between two namespaces: FORWARD's policy is DROP, a user chain drops one port and
 * accepts another, answers pass by conntrack state; a third port falls through to the policy.
 */
export function forwardDrop(backend: IptablesBackend): Scenario {
  const spec = {
    name: `forward-drop-${backend}`,
    roles: ['c', 'r', 's'],
    routers: ['r'],
    links: [
      { a: end('c', 'eth0', '10.77.1.2/24'), b: end('r', 'c0', '10.77.1.1/24') },
      { a: end('s', 'eth0', '10.77.2.2/24'), b: end('r', 's0', '10.77.2.1/24') },
    ],
    ip: [defaultVia('c', '10.77.1.1'), defaultVia('s', '10.77.2.1')],
    rules: [
      restore(
        'r',
        iptables(backend),
        'filter',
        ':FORWARD DROP [0:0]',
        ':PL-FWD - [0:0]',
        '-A FORWARD -i s0 -o c0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-A FORWARD -i c0 -o s0 -j PL-FWD',
        '-A PL-FWD -p tcp -m tcp --dport 8081 -j DROP',
        '-A PL-FWD -p tcp -m tcp --dport 8080 -m comment --comment "web" -j ACCEPT',
      ),
    ],
    listeners: [{ role: 's', ports: { tcp: [8080, 8081, 8082] } }],
  };
  const nft = backend === 'nft';
  const droppedAt = (role: string, decided: Partial<ScenarioExpectation>): ScenarioExpectation => ({
    disposition: 'dropped',
    endsIn: role,
    outcome: 'timeout',
    ...decided,
    chains: { role, chains: ['FORWARD', 'PL-FWD'] },
    reply: { disposition: 'not-seen' },
  });
  // iptables-legacy is not nf_tables: the trace sees the packet enter forward and never leave it.
  const lostAt = (role: string): ScenarioExpectation => ({
    disposition: 'vanished',
    endsIn: role,
    outcome: 'timeout',
    untracedAt: role,
    reply: { disposition: 'not-seen' },
  });
  return scenarioOf(spec, [
    {
      label: 'tcp to the dropped port',
      probe: { from: 'c', proto: 'tcp', src: null, sport: 61001, dst: '10.77.2.2', dport: 8081 },
      expect: nft
        ? droppedAt('r', { rule: ruleAt('r', 'forward', 'filter', 'PL-FWD', 'tcp dport 8081', 'drop') })
        : lostAt('r'),
    },
    {
      label: 'tcp to the accepted port',
      probe: { from: 'c', proto: 'tcp', src: null, sport: 61002, dst: '10.77.2.2', dport: 8080 },
      expect: delivered('s', 'connected', 'c', {
        oif: { role: 'r', oif: 's0' },
        ...(nft
          ? {
              rule: ruleAt('r', 'forward', 'filter', 'PL-FWD', 'tcp dport 8080', 'accept'),
            }
          : { untracedAt: 'r' }),
      }),
    },
    {
      label: 'tcp to a port no rule matches',
      probe: { from: 'c', proto: 'tcp', src: null, sport: 61003, dst: '10.77.2.2', dport: 8082 },
      expect: nft
        ? droppedAt('r', {
            policy: { role: 'r', hook: 'forward', table: 'filter', chain: 'FORWARD', verdict: 'drop' },
          })
        : lostAt('r'),
    },
  ]);
}

/** (b) REJECT in INPUT: a TCP reset, an ICMP port unreachable (v4 and v6), and an echo that passes. */
export function inputReject(): Scenario {
  const spec = {
    name: 'input-reject',
    roles: ['c', 's'],
    links: [
      {
        a: end('c', 'eth0', '10.77.1.2/24', 'fd77:1::2/64'),
        b: end('s', 'eth0', '10.77.1.1/24', 'fd77:1::1/64'),
      },
    ],
    rules: [
      restore(
        's',
        iptables('nft'),
        'filter',
        '-A INPUT -p tcp -m tcp --dport 2222 -j REJECT --reject-with tcp-reset',
        '-A INPUT -p udp -m udp --dport 5353 -j REJECT --reject-with icmp-port-unreachable',
      ),
      restore(
        's',
        iptables('nft', 'ip6'),
        'filter',
        '-A INPUT -p udp -m udp --dport 5353 -j REJECT --reject-with icmp6-port-unreachable',
      ),
    ],
  };
  const rejected = (table: string, text: string) => ({
    disposition: 'rejected' as const,
    endsIn: 's',
    outcome: 'refused' as const,
    rule: { role: 's', hook: 'input', table, chain: 'INPUT', text, verdict: 'drop' },
    reply: { disposition: 'delivered' as const, endsIn: 'c' },
  });
  return scenarioOf(spec, [
    {
      label: 'tcp rejected with a reset',
      probe: { from: 'c', proto: 'tcp', src: null, sport: 61011, dst: '10.77.1.1', dport: 2222 },
      expect: rejected('filter', 'reject with tcp reset'),
    },
    {
      label: 'udp rejected with port unreachable',
      probe: { from: 'c', proto: 'udp', src: null, sport: 61012, dst: '10.77.1.1', dport: 5353 },
      expect: rejected('filter', 'reject'),
    },
    {
      label: 'udp over IPv6 rejected with port unreachable',
      probe: { from: 'c', proto: 'udp', src: null, sport: 61013, dst: 'fd77:1::1', dport: 5353 },
      expect: rejected('filter', 'reject'),
    },
    {
      label: 'icmp echo passes',
      probe: { from: 'c', proto: 'icmp', src: null, sport: 61014, dst: '10.77.1.1', dport: null },
      expect: delivered('s', 'answered', 'c'),
    },
  ]);
}

/** (c) DNAT in PREROUTING to a backend behind the router, MASQUERADE on the way out. */
export function dnatMasquerade(): Scenario {
  const spec = {
    name: 'dnat-masquerade',
    roles: ['c', 'r', 'b'],
    routers: ['r'],
    links: [
      { a: end('c', 'eth0', '10.77.1.2/24'), b: end('r', 'c0', '10.77.1.1/24') },
      { a: end('b', 'eth0', '10.77.2.2/24'), b: end('r', 'b0', '10.77.2.1/24') },
    ],
    // b has no route back to c: only the MASQUERADE makes its answers go back through r.
    ip: [defaultVia('c', '10.77.1.1')],
    rules: [
      restore(
        'r',
        iptables('nft'),
        'nat',
        '-A PREROUTING -d 10.77.1.1/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.77.2.2:8080',
        '-A PREROUTING -d 10.77.1.1/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.77.2.2:5353',
        '-A POSTROUTING -o b0 -j MASQUERADE',
      ),
    ],
    listeners: [{ role: 'b', ports: { tcp: [8080], udp: [5353] } }],
  };
  return scenarioOf(spec, [
    {
      label: 'tcp to the published port',
      probe: { from: 'c', proto: 'tcp', src: null, sport: 61021, dst: '10.77.1.1', dport: 80 },
      expect: delivered('b', 'connected', 'c', {
        rule: ruleAt('r', 'prerouting', 'nat', 'PREROUTING', 'dnat to 10.77.2.2:8080', 'accept'),
        oif: { role: 'r', oif: 'b0' },
        final: { saddr: '10.77.2.1', daddr: '10.77.2.2', dport: 8080 },
      }),
    },
    {
      label: 'udp to the published port',
      probe: { from: 'c', proto: 'udp', src: null, sport: 61022, dst: '10.77.1.1', dport: 53 },
      expect: delivered('b', 'answered', 'c', {
        rule: ruleAt('r', 'postrouting', 'nat', 'POSTROUTING', 'masquerade', 'accept'),
        final: { saddr: '10.77.2.1', daddr: '10.77.2.2', dport: 5353 },
      }),
    },
  ]);
}

/** (d) A mangle MARK and `ip rule fwmark 0x1 lookup 100` send one port to another next hop. */
export function fwmarkRouting(): Scenario {
  const spec = {
    name: 'fwmark-routing',
    roles: ['c', 'r', 's1', 's2'],
    routers: ['r'],
    links: [
      { a: end('c', 'eth0', '10.77.1.2/24'), b: end('r', 'c0', '10.77.1.1/24') },
      { a: end('s1', 'eth0', '10.77.2.2/24'), b: end('r', 'a0', '10.77.2.1/24') },
      { a: end('s2', 'eth0', '10.77.3.2/24'), b: end('r', 'b0', '10.77.3.1/24') },
    ],
    ip: [
      defaultVia('c', '10.77.1.1'),
      // 10.77.99.1 is on both servers: only the route decides which one answers.
      { role: 's1', args: ['addr', 'add', '10.77.99.1/32', 'dev', 'lo'] },
      defaultVia('s1', '10.77.2.1'),
      { role: 's2', args: ['addr', 'add', '10.77.99.1/32', 'dev', 'lo'] },
      defaultVia('s2', '10.77.3.1'),
      { role: 'r', args: ['route', 'add', '10.77.99.0/24', 'via', '10.77.2.2'] },
      { role: 'r', args: ['route', 'add', '10.77.99.0/24', 'via', '10.77.3.2', 'table', '100'] },
      { role: 'r', args: ['rule', 'add', 'fwmark', '0x1', 'lookup', '100', 'priority', '100'] },
    ],
    rules: [
      restore(
        'r',
        iptables('nft'),
        'mangle',
        '-A PREROUTING -p tcp -m tcp --dport 443 -j MARK --set-xmark 0x1/0xffffffff',
      ),
    ],
    listeners: [
      { role: 's1', ports: { tcp: [80, 443] } },
      { role: 's2', ports: { tcp: [80, 443] } },
    ],
  };
  return scenarioOf(spec, [
    {
      label: 'marked port goes by table 100',
      probe: { from: 'c', proto: 'tcp', src: null, sport: 61031, dst: '10.77.99.1', dport: 443 },
      expect: delivered('s2', 'connected', 'c', {
        rule: ruleAt('r', 'prerouting', 'mangle', 'PREROUTING', 'meta mark set 0x1', 'continue'),
        oif: { role: 'r', oif: 'b0' },
      }),
    },
    {
      label: 'unmarked port goes by the main table',
      probe: { from: 'c', proto: 'tcp', src: null, sport: 61032, dst: '10.77.99.1', dport: 80 },
      expect: delivered('s1', 'connected', 'c', { oif: { role: 'r', oif: 'a0' } }),
    },
  ]);
}

/** (e) IPv6 DNAT in PREROUTING (ip6tables-nft), and an ICMPv6 echo across the router. */
export function ipv6Dnat(): Scenario {
  const spec = {
    name: 'ipv6-dnat',
    roles: ['c', 'r', 'b'],
    routers: ['r'],
    links: [
      { a: end('c', 'eth0', 'fd77:1::2/64'), b: end('r', 'c0', 'fd77:1::1/64') },
      { a: end('b', 'eth0', 'fd77:2::2/64'), b: end('r', 'b0', 'fd77:2::1/64') },
    ],
    ip: [defaultVia('c', 'fd77:1::1'), defaultVia('b', 'fd77:2::1')],
    rules: [
      restore(
        'r',
        iptables('nft', 'ip6'),
        'nat',
        '-A PREROUTING -d fd77:1::1/128 -p tcp -m tcp --dport 80 -j DNAT --to-destination [fd77:2::2]:8080',
      ),
    ],
    listeners: [{ role: 'b', ports: { tcp: [8080] } }],
  };
  return scenarioOf(spec, [
    {
      label: 'tcp over IPv6 to the published port',
      probe: { from: 'c', proto: 'tcp', src: null, sport: 61041, dst: 'fd77:1::1', dport: 80 },
      expect: delivered('b', 'connected', 'c', {
        rule: ruleAt('r', 'prerouting', 'nat', 'PREROUTING', 'dnat to [fd77:2::2]:8080', 'accept'),
        oif: { role: 'r', oif: 'b0' },
        final: { daddr: 'fd77:2::2', dport: 8080 },
      }),
    },
    {
      label: 'icmpv6 echo across the router',
      probe: { from: 'c', proto: 'icmpv6', src: null, sport: 61042, dst: 'fd77:2::2', dport: null },
      expect: delivered('b', 'answered', 'c'),
    },
  ]);
}

/** (f) A locally generated packet DNATed in nat OUTPUT, rerouted to another interface. */
export function outputDnat(): Scenario {
  const spec = {
    name: 'output-dnat',
    roles: ['h', 'd', 's'],
    links: [
      { a: end('h', 'a0', '10.77.1.1/24'), b: end('d', 'eth0', '10.77.1.2/24') },
      { a: end('h', 's0', '10.77.2.1/24'), b: end('s', 'eth0', '10.77.2.2/24') },
    ],
    // Before the DNAT the service address routes to d; after it, the kernel reroutes to s.
    ip: [
      { role: 'h', args: ['route', 'add', '10.77.9.0/24', 'via', '10.77.1.2'] },
      defaultVia('d', '10.77.1.1'),
      defaultVia('s', '10.77.2.1'),
    ],
    rules: [
      restore(
        'h',
        iptables('nft'),
        'nat',
        '-A OUTPUT -d 10.77.9.9/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.77.2.2:8080',
      ),
    ],
    listeners: [{ role: 's', ports: { tcp: [8080] } }],
  };
  return scenarioOf(spec, [
    {
      label: 'locally generated tcp to the service address',
      probe: { from: 'h', proto: 'tcp', src: null, sport: 61051, dst: '10.77.9.9', dport: 80 },
      expect: delivered('s', 'connected', 'h', {
        rule: ruleAt('h', 'output', 'nat', 'OUTPUT', 'dnat to 10.77.2.2:8080', 'accept'),
        oif: { role: 'h', oif: 's0' },
        final: { daddr: '10.77.2.2', dport: 8080 },
      }),
    },
  ]);
}

export type KubeProxyMode = 'iptables' | 'nftables';

export const kubeProxyService = {
  clusterIp: '10.96.0.10',
  port: 80,
  endpointPort: 8080,
  nodePort: 30080,
} as const;

const kubeProxyEndpoints = ['e1', 'e2', 'e3'];

/**
 * A node running kube-proxy's rules for one service with three endpoints behind it, each in its own
 * namespace with a listener, and a client pod inside the cluster CIDR. The rules are kube-proxy's own
 * shapes from the lab's generator.
 */
async function kubeProxyNode(
  name: string,
  mode: KubeProxyMode,
  nodePort: number | null,
): Promise<{ spec: ScenarioSpec; rules: string }> {
  const node: KubeProxyNode = {
    services: [
      {
        name: 'default/web:http',
        clusterIp: kubeProxyService.clusterIp,
        port: kubeProxyService.port,
        protocol: 'tcp',
        nodePort,
        endpoints: kubeProxyEndpoints.map((_, i) => ({
          ip: `10.77.1${i + 1}.2`,
          port: kubeProxyService.endpointPort,
        })),
      },
    ],
    clusterCidr: '10.77.0.0/16',
    serviceCidr: '10.96.0.0/12',
    nodeIps: ['10.77.1.1'],
  };
  const rules =
    mode === 'iptables'
      ? { role: 'n', tool: iptables('nft'), text: await kubeProxyIptablesRestore(node) }
      : { role: 'n', tool: 'nft' as const, text: await kubeProxyNftScript(node) };
  const spec = {
    name,
    roles: ['p', 'n', ...kubeProxyEndpoints],
    routers: ['n'],
    links: [
      { a: end('p', 'eth0', '10.77.1.2/24'), b: end('n', 'p0', '10.77.1.1/24') },
      ...kubeProxyEndpoints.map((e, i) => ({
        a: end(e, 'eth0', `10.77.1${i + 1}.2/24`),
        b: end('n', e, `10.77.1${i + 1}.1/24`),
      })),
    ],
    ip: [
      defaultVia('p', '10.77.1.1'),
      ...kubeProxyEndpoints.map((e, i) => defaultVia(e, `10.77.1${i + 1}.1`)),
    ],
    rules: [rules],
    listeners: kubeProxyEndpoints.map((e) => ({ role: e, ports: { tcp: [kubeProxyService.endpointPort] } })),
  };
  return { spec, rules: rules.text };
}

function kubeProxyChain(mode: KubeProxyMode, rules: string, kind: 'service' | 'external'): string {
  const re =
    mode === 'iptables'
      ? kind === 'service'
        ? /-A KUBE-SERVICES .* -j (KUBE-SVC-\w+)/
        : /-A KUBE-NODEPORTS .* -j (KUBE-EXT-\w+)/
      : new RegExp(`add chain ip kube-proxy (${kind}-\\S+)`);
  return re.exec(rules)![1]!;
}

function tcpFromPod(sport: number, dst: string, dport: number): Probe {
  return { from: 'p', proto: 'tcp', src: null, sport, dst, dport };
}

/**
 * (g) kube-proxy's ClusterIP in iptables mode (statistic cascade) or nftables mode (numgen vmap).
 * The client is inside the cluster CIDR, so nothing is masqueraded.
 */
export async function kubeProxyClusterIp(mode: KubeProxyMode): Promise<Scenario> {
  const { spec, rules } = await kubeProxyNode(`kube-proxy-${mode}`, mode, null);
  const service = kubeProxyChain(mode, rules, 'service');
  const entry =
    mode === 'iptables' ? ['PREROUTING', 'KUBE-SERVICES', service] : ['nat-prerouting', 'services', service];
  return scenarioOf(
    spec,
    [0, 1, 2, 3, 4, 5].map((i) => ({
      label: `tcp to the ClusterIP, try ${i + 1}`,
      probe: tcpFromPod(61061 + i, kubeProxyService.clusterIp, kubeProxyService.port),
      expect: delivered(kubeProxyEndpoints, 'connected', 'p', {
        chains: { role: 'n', chains: entry },
        final: { saddr: '10.77.1.2', dport: kubeProxyService.endpointPort },
      }),
    })),
  );
}

/**
 * (g') The same service's NodePort on the node's address: kube-proxy marks it for masquerading and
 * masquerades it `fully-random`, which gives the probe a random source port. The endpoints' trace
 * tables therefore also select the endpoint port (the probe's `selectors`).
 */
export async function kubeProxyNodePort(mode: KubeProxyMode): Promise<Scenario> {
  const { spec, rules } = await kubeProxyNode(`kube-proxy-nodeport-${mode}`, mode, kubeProxyService.nodePort);
  const service = kubeProxyChain(mode, rules, 'service');
  const external = kubeProxyChain(mode, rules, 'external');
  const entry =
    mode === 'iptables'
      ? ['PREROUTING', 'KUBE-SERVICES', 'KUBE-NODEPORTS', external, 'KUBE-MARK-MASQ', service]
      : ['nat-prerouting', 'services', external, 'mark-for-masquerade', service];
  const masquerade =
    mode === 'iptables'
      ? ruleAt('n', 'postrouting', 'nat', 'KUBE-POSTROUTING', 'masquerade fully-random', 'accept')
      : ruleAt('n', 'postrouting', 'kube-proxy', 'masquerading', 'masquerade fully-random', 'accept');
  return scenarioOf(spec, [
    {
      label: 'tcp to the NodePort, masqueraded with a random source port',
      probe: tcpFromPod(61067, '10.77.1.1', kubeProxyService.nodePort),
      selectors: [{ proto: 'tcp', port: kubeProxyService.endpointPort }],
      expect: delivered(kubeProxyEndpoints, 'connected', 'p', {
        chains: { role: 'n', chains: entry },
        rule: masquerade,
        final: { dport: kubeProxyService.endpointPort },
      }),
    },
  ]);
}

/**
 * (h) Docker's default bridge with one published port (host 8081 to container 80), Docker's own rule
 * layout (the lab's generator), in either iptables backend. An outside client reaches the container
 * through the DNAT; the container reaches the outside through the MASQUERADE.
 */
export function dockerPublished(backend: IptablesBackend): Scenario {
  const container = {
    name: 'web',
    node: 'h',
    namespace: 'k',
    bridgeAddress: '10.77.17.1/24',
    subnet: '10.77.17.0/24',
    address: '10.77.17.2',
    hostVeth: 'veth1a2b3c4',
    publishedPort: { hostPort: 8081, containerPort: 80, protocol: 'tcp' as const },
  };
  const spec = {
    name: `docker-published-${backend}`,
    roles: ['x', 'h', 'k'],
    routers: ['h'],
    sysctls: [{ role: 'h', key: 'net.bridge.bridge-nf-call-iptables', value: '1' }],
    bridges: [{ role: 'h', name: 'docker0', addrs: [container.bridgeAddress] }],
    links: [
      { a: end('x', 'eth0', '10.77.5.2/24'), b: end('h', 'x0', '10.77.5.1/24') },
      {
        a: { role: 'k', ifname: 'eth0', addrs: ['10.77.17.2/24'] },
        b: { role: 'h', ifname: container.hostVeth, bridge: 'docker0' },
      },
    ],
    ip: [defaultVia('x', '10.77.5.1'), defaultVia('k', '10.77.17.1')],
    rules: [{ role: 'h', tool: iptables(backend), text: dockerIptablesRestore(container, 'docker0') }],
    listeners: [
      { role: 'k', ports: { tcp: [80] } },
      { role: 'x', ports: { tcp: [9000] } },
    ],
  };
  const nft = backend === 'nft';
  return scenarioOf(spec, [
    {
      label: 'outside client to the published port',
      probe: { from: 'x', proto: 'tcp', src: null, sport: 61071, dst: '10.77.5.1', dport: 8081 },
      expect: delivered('k', 'connected', 'x', {
        ...(nft
          ? {
              rule: ruleAt('h', 'prerouting', 'nat', 'DOCKER', 'dnat to 10.77.17.2:80', 'accept'),
              chains: {
                role: 'h',
                chains: ['PREROUTING', 'DOCKER', 'FORWARD', 'DOCKER-FORWARD', 'DOCKER-BRIDGE', 'DOCKER'],
              },
            }
          : { untracedAt: 'h' }),
        oif: { role: 'h', oif: 'docker0' },
        final: { daddr: '10.77.17.2', dport: 80 },
      }),
    },
    {
      label: 'container to the outside, masqueraded',
      probe: { from: 'k', proto: 'tcp', src: null, sport: 61072, dst: '10.77.5.2', dport: 9000 },
      expect: delivered('x', 'connected', 'k', {
        ...(nft
          ? {
              rule: ruleAt('h', 'postrouting', 'nat', 'POSTROUTING', 'masquerade', 'accept'),
            }
          : { untracedAt: 'h' }),
        oif: { role: 'h', oif: 'x0' },
        final: { saddr: '10.77.5.1', daddr: '10.77.5.2', dport: 9000 },
      }),
    },
  ]);
}

/** Every scenario, (a) to (h), each iptables backend where it matters. */
export async function scenariosAll(): Promise<Scenario[]> {
  return [
    forwardDrop('nft'),
    forwardDrop('legacy'),
    inputReject(),
    dnatMasquerade(),
    fwmarkRouting(),
    ipv6Dnat(),
    outputDnat(),
    await kubeProxyClusterIp('iptables'),
    await kubeProxyClusterIp('nftables'),
    await kubeProxyNodePort('iptables'),
    await kubeProxyNodePort('nftables'),
    dockerPublished('nft'),
    dockerPublished('legacy'),
  ];
}

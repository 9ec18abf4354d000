import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Snapshot } from '../../lib/model/snapshot';
import { snapshotContent, volatileApply, volatileDiff } from '../store/snapshot-content';
import { otherNamespacesOrigin } from './other-namespaces';
import type { Section } from './parse-sections';
import { sectionsSnapshot } from './sections-snapshot';
import { parseSysctls } from './sysctl-section';

const lib = path.resolve(__dirname, '../../lib');
const fixture = (rel: string) => readFileSync(path.join(lib, rel), 'utf8');

let nextId = 0;
function section(
  name: string,
  stdout: string,
  opts: { stderr?: string; exitCode?: number; missing?: boolean } = {},
): Section {
  const stderr = opts.stderr ?? '';
  return {
    id: ++nextId,
    name,
    stdout,
    stderr,
    exitCode: opts.exitCode ?? (opts.missing ? 127 : 0),
    missing: opts.missing ?? false,
    bytes: { stdout: Buffer.from(stdout), stderr: Buffer.from(stderr) },
  };
}

const nftDump = fixture('iptables/__fixtures__/both-backends.nft.iptables-save');
const legacyDump = fixture('iptables/__fixtures__/both-backends.legacy.iptables-save');
const legacyWarning = fixture('iptables/__fixtures__/both-backends.nft.iptables-save.stderr');

function hostSections(overrides: Section[] = []): Section[] {
  const base = [
    section('host:iptables-save', nftDump, { stderr: legacyWarning }),
    section('host:ip6tables-save', ''),
    section('host:iptables-legacy-save', legacyDump),
    section('host:ip6tables-legacy-save', ''),
    section('host:iptables-nft-save', nftDump, { stderr: legacyWarning }),
    section('host:ip6tables-nft-save', ''),
    section('host:iptables-version', 'iptables-save v1.8.9 (nf_tables)\n'),
    section('host:nft-ruleset', '', {
      exitCode: 1,
      stderr: 'netlink: Error: cache initialization failed\nmore\n',
    }),
    section('host:ip-link', fixture('iproute/__fixtures__/ip-link.json')),
    section('host:ip-addr', fixture('iproute/__fixtures__/ip-addr.json')),
    section('host:ip-route', fixture('iproute/__fixtures__/ip-route.json')),
    section('host:ip6-route', fixture('iproute/__fixtures__/ip6-route.json')),
    section('host:ip-rule', fixture('iproute/__fixtures__/ip-rule.json')),
    section('host:ip6-rule', fixture('iproute/__fixtures__/ip6-rule.json')),
    section('host:ip-neigh', fixture('iproute/__fixtures__/ip-neigh.json')),
    section('host:ipset-save', '', { missing: true }),
    section('host:netns-ids', '[]'),
    section('host:uname-r', '6.1.0-28-amd64\n'),
    section('host:hostname', 'node-1\n'),
    section(
      'host:sysctls',
      '/proc/sys/net/ipv4/ip_forward\t1\n/proc/sys/net/ipv4/conf/eth0.100/rp_filter\t2\n',
    ),
  ];
  const names = new Set(overrides.map((s) => s.name));
  return [...base.filter((s) => !names.has(s.name)), ...overrides];
}

const opts = { host: 'node-1', collectedAt: '2026-11-23T12:00:00.000Z' };

describe('sectionsSnapshot: host', () => {
  it('reads both backends once each, with the nft tool’s warning, and keeps every section', () => {
    const sections = hostSections();
    const { snapshot, sections: raw } = sectionsSnapshot(sections, opts);
    expect(raw).toBe(sections);
    expect(Snapshot.safeParse(snapshot).success).toBe(true);
    expect(snapshot.host).toMatchObject({
      name: 'node-1',
      kind: 'host',
      hostname: 'node-1',
      kernel: '6.1.0-28-amd64',
      collectedAt: '2026-11-23T12:00:00.000Z',
      iptablesBackend: 'nft',
      backendsWithRules: ['legacy', 'nft'],
    });
    expect(snapshot.netfilter.iptables.map((d) => [d.family, d.backend, d.otherBackendHasRules])).toEqual([
      ['ip', 'nft', true],
      ['ip', 'legacy', false],
    ]);
    expect(snapshot.sources.filter((s) => s.format.startsWith('iptables')).map((s) => s.origin)).toEqual([
      'iptables-save -c',
      'iptables-legacy-save -c',
    ]);
    expect(snapshot.routingFamilies).toEqual(['ip', 'ip6']);
    expect(snapshot.sysctls).toEqual({ 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.eth0/100.rp_filter': '2' });
    expect(snapshot.diagnostics).toEqual(
      expect.arrayContaining([
        {
          severity: 'warning',
          message: 'exited with 1: netlink: Error: cache initialization failed',
          origin: 'nft -j list ruleset',
          line: null,
        },
        {
          severity: 'info',
          message: 'ipset is not installed on this host: nothing collected',
          origin: 'ipset save',
          line: null,
        },
      ]),
    );
    expect(snapshot.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('takes the default backend from the host, not from which dumps exist', () => {
    const { snapshot } = sectionsSnapshot(
      hostSections([
        section('host:iptables-save', legacyDump),
        section('host:iptables-legacy-save', legacyDump),
        section('host:iptables-version', 'iptables-save v1.8.9 (legacy)\n'),
      ]),
      opts,
    );
    expect(snapshot.host.iptablesBackend).toBe('legacy');
    expect(snapshot.netfilter.iptables.map((d) => d.backend)).toEqual(['legacy', 'nft']);
  });

  it('records an output it cannot read, and a failed command, and goes on', () => {
    const { snapshot } = sectionsSnapshot(
      hostSections([
        section('host:ip-route', 'default via 198.18.0.1 dev eth0\n'),
        section('host:iptables-save', '', {
          exitCode: 4,
          stderr:
            'iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied\n',
        }),
        section('host:hostname', '', { missing: true }),
      ]),
      opts,
    );
    expect(snapshot.host.hostname).toBeNull();
    expect(snapshot.diagnostics).toEqual(
      expect.arrayContaining([
        {
          severity: 'error',
          message:
            'this is plain ip output: use the JSON form, e.g. `ip -j -d link`, `ip -j addr`, `ip -j route show table all`, `ip -j rule`, `ip -j neigh` (column 1)',
          origin: 'ip -j route show table all',
          line: 1,
        },
        {
          severity: 'warning',
          message:
            'exited with 4: iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied',
          origin: 'iptables-save -c',
          line: null,
        },
      ]),
    );
    // The nft backend's own tool still shows its rules.
    expect(snapshot.netfilter.iptables.map((d) => d.backend)).toEqual(['legacy', 'nft']);
    expect(snapshot.routes.every((r) => r.family === 'ip6')).toBe(true);
  });
});

function link(index: number, name: string, peer?: { index: number; nsid: number }): object {
  return {
    ifindex: index,
    ifname: name,
    flags: ['BROADCAST', 'UP', 'LOWER_UP'],
    mtu: 1500,
    operstate: 'UP',
    link_type: 'ether',
    address: `02:00:00:00:00:${index.toString(16).padStart(2, '0')}`,
    ...(peer ? { link_index: peer.index, link_netnsid: peer.nsid, linkinfo: { info_kind: 'veth' } } : {}),
  };
}

function addr(index: number, name: string, local: string): object {
  return {
    ifindex: index,
    ifname: name,
    flags: ['UP'],
    mtu: 1500,
    operstate: 'UP',
    link_type: 'ether',
    addr_info: [{ family: 'inet', local, prefixlen: 24, scope: 'global', label: name }],
  };
}

function netns(
  n: number,
  meta: {
    via: string;
    inode: string;
    pid?: number;
    ref?: string;
    collected: boolean;
    path?: string;
    skipped?: string;
  },
  links: object[],
  addrs: object[] = [],
): Section[] {
  const out = [
    section(
      `ns${n}:meta`,
      `via=${meta.via}\ninode=${meta.inode}\npid=${meta.pid ?? ''}\nref=${meta.ref ?? ''}\ncollected=${meta.collected ? 1 : 0}\nskipped=${meta.skipped ?? ''}\n`,
    ),
  ];
  if (meta.path) out.push(section(`ns${n}:path`, meta.path));
  if (!meta.collected) return out;
  return [
    ...out,
    section(`ns${n}:ip-link`, JSON.stringify(links)),
    section(`ns${n}:ip-addr`, JSON.stringify(addrs)),
    section(`ns${n}:ip-route`, '[{"dst":"default","gateway":"198.18.200.1","dev":"eth0","flags":[]}]'),
    section(`ns${n}:ip6-route`, '[]'),
    section(`ns${n}:ip-rule`, '[]'),
    section(`ns${n}:ip6-rule`, '', {
      exitCode: 2,
      stderr: 'RTNETLINK answers: Address family not supported\n',
    }),
  ];
}

describe('sectionsSnapshot: pods', () => {
  const lo = {
    ifindex: 1,
    ifname: 'lo',
    flags: ['LOOPBACK', 'UP'],
    mtu: 65536,
    operstate: 'UNKNOWN',
    link_type: 'loopback',
  };
  const host = [
    section(
      'host:ip-link',
      JSON.stringify([
        lo,
        link(5, 'veth0', { index: 2, nsid: 0 }),
        link(6, 'veth1', { index: 3, nsid: 2 }),
        link(7, 'veth2', { index: 4, nsid: 3 }),
      ]),
    ),
    section(
      'host:netns-ids',
      '[{"nsid":0,"name":"cni-aaaa"},{"nsid":1,"name":"node-b"},{"nsid":2},{"nsid":3}]',
    ),
    section('discover:host-netns', '4026532001 /proc/self/ns/net\n4026531833 /proc/1/ns/net\n'),
  ];
  const sections = [
    ...hostSections(host),
    ...netns(1, { via: 'named', inode: '4026532001', path: '/var/run/netns/node-1', collected: false }, []),
    ...netns(
      2,
      { via: 'named', inode: '4026532100', path: '/var/run/netns/cni-aaaa', collected: true },
      [lo, link(2, 'eth0', { index: 5, nsid: 0 })],
      [addr(2, 'eth0', '198.18.200.2')],
    ),
    // Another node: its veth leads elsewhere, so it is no pod of this host.
    ...netns(3, { via: 'named', inode: '4026532200', path: '/var/run/netns/node-b', collected: true }, [
      lo,
      link(2, 'eth0', { index: 9, nsid: 1 }),
    ]),
    section(
      'crictl1:inspectp',
      JSON.stringify({
        status: {
          id: 'abc',
          metadata: { name: 'web', namespace: 'default' },
          labels: { app: 'web', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default' },
        },
        info: { pid: 41 },
      }),
    ),
    ...netns(
      4,
      {
        via: 'crictl',
        inode: '4026532100',
        pid: 41,
        ref: 'crictl1',
        path: '/var/run/netns/cni-aaaa',
        collected: false,
      },
      [],
    ),
    section('discover:docker-inspect', JSON.stringify([{ Id: 'f00', Name: '/redis', State: { Pid: 77 } }])),
    ...netns(5, { via: 'docker', inode: '4026532300', pid: 77, collected: true }, [
      lo,
      link(3, 'eth0', { index: 6, nsid: 0 }),
    ]),
    section('cni1:path', '/var/lib/cni/results/k8s-pod-network-123-eth0'),
    section(
      'cni1:result',
      JSON.stringify({
        kind: 'cniCacheV1',
        containerId: '123',
        cniArgs: [
          ['K8S_POD_NAMESPACE', 'kube-system'],
          ['K8S_POD_NAME', 'dns'],
        ],
        result: { ips: [{ address: '198.18.201.5/24' }] },
      }),
    ),
    ...netns(
      6,
      { via: 'proc', inode: '4026532400', pid: 90, collected: true },
      [lo, link(4, 'eth0', { index: 7, nsid: 0 })],
      [addr(4, 'eth0', '198.18.201.5')],
    ),
    ...netns(7, { via: 'proc', inode: '4026532500', pid: 91, collected: true }, [
      lo,
      link(4, 'eth0', { index: 8, nsid: 0 }),
    ]),
    // Named, but this host has no nsid for it: the script listed it without reading it.
    ...netns(
      8,
      {
        via: 'named',
        inode: '4026532600',
        path: '/var/run/netns/node-c',
        collected: false,
        skipped: 'no-nsid',
      },
      [],
    ),
  ];

  it('keeps the namespaces whose veths lead into this host, named by their runtime', () => {
    const { snapshot } = sectionsSnapshot(sections, opts);
    expect(Snapshot.safeParse(snapshot).success).toBe(true);
    expect(snapshot.pods.map((p) => [p.host.name, p.host.kind, p.host.netns, p.host.labels])).toEqual([
      [
        'default/web',
        'pod',
        { name: 'cni-aaaa', pid: 41 },
        { app: 'web', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default' },
      ],
      ['redis', 'pod', { name: null, pid: 77 }, {}],
      [
        'kube-system/dns',
        'pod',
        { name: null, pid: 90 },
        { 'io.kubernetes.pod.name': 'dns', 'io.kubernetes.pod.namespace': 'kube-system' },
      ],
    ]);
    const web = snapshot.pods[0]!;
    expect(web.addresses.map((a) => `${a.local}/${a.prefixlen}`)).toEqual(['198.18.200.2/24']);
    expect(web.routes.map((r) => [r.dst, r.gateway])).toEqual([['0.0.0.0/0', '198.18.200.1']]);
    expect(web.diagnostics).toEqual([
      {
        severity: 'warning',
        message: 'exited with 2: RTNETLINK answers: Address family not supported',
        origin: 'ip -6 -j rule',
        line: null,
      },
    ]);
    expect(snapshot.diagnostics).toContainEqual({
      severity: 'info',
      message:
        '3 other network namespace(s) on this machine have no veth into this host and are not counted as its pods: node-b, pid 91, node-c',
      origin: '/var/run/netns/*, /proc/*/ns/net',
      line: null,
    });
  });

  it('keeps the host’s content hash when namespaces of the machine that are not its own come and go', () => {
    const before = sectionsSnapshot(sections, opts).snapshot;
    // Someone else's test namespace and a sandboxed process appear between two collections.
    const after = sectionsSnapshot(
      [
        ...sections,
        ...netns(
          9,
          {
            via: 'named',
            inode: '4026532700',
            path: '/var/run/netns/pl-x-1',
            collected: false,
            skipped: 'no-nsid',
          },
          [],
        ),
        ...netns(10, { via: 'proc', inode: '4026532800', pid: 4242, collected: true }, [lo]),
      ],
      { ...opts, collectedAt: '2026-11-23T12:05:00.000Z' },
    ).snapshot;
    expect(after.diagnostics.find((d) => d.origin === otherNamespacesOrigin)?.message).toMatch(
      /^5 other .*: node-b, pid 91, node-c, pl-x-1, pid 4242$/,
    );
    expect(after.pods.map((p) => p.host.name)).toEqual(before.pods.map((p) => p.host.name));
    const [a, b] = [snapshotContent(before), snapshotContent(after)];
    expect(b.hash).toBe(a.hash);
    // The list itself is kept with the observation.
    const rebuilt = structuredClone(before);
    volatileApply(rebuilt, volatileDiff(a.volatile, b.volatile));
    expect(rebuilt.diagnostics).toEqual(after.diagnostics);
  });

  it('counts every namespace as a pod when the host is the machine’s root namespace', () => {
    const rooted = sections.map((s) =>
      s.name === 'discover:host-netns'
        ? section(s.name, '4026531833 /proc/self/ns/net\n4026531833 /proc/1/ns/net\n')
        : s,
    );
    expect(sectionsSnapshot(rooted, opts).snapshot.pods.map((p) => p.host.name)).toEqual([
      'default/web',
      'node-b',
      'redis',
      'kube-system/dns',
      'pid-91',
    ]);
  });
});

describe('parseSysctls', () => {
  it('names keys as sysctl does, a dot inside an interface name becoming a slash', () => {
    expect(
      parseSysctls(
        '/proc/sys/net/ipv4/conf/all/rp_filter\t1\n/proc/sys/net/ipv4/conf/vlan.7/rp_filter\t2\nnoise\n',
      ),
    ).toEqual({ 'net.ipv4.conf.all.rp_filter': '1', 'net.ipv4.conf.vlan/7.rp_filter': '2' });
  });
});

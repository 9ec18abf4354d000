import type { IpFamily } from '../../model/common';
import type { Address, Interface, PolicyRule, Route } from '../../model/iproute';
import type { Snapshot } from '../../model/snapshot';
import { parseIptablesSave } from '../../iptables/parse-save';
import { parseNftJson } from '../../nftables/parse-json';
import { emptySnapshot } from '../../snapshot/build';
import { ipParse, ipText, prefixParse } from '../ip';
import type { TraceQuery } from '../query';

/**
 * Hand-built hosts for simulator tests: interfaces with addresses, the routes the kernel derives
 * from them (local, broadcast, connected), extra routes and rules, and iptables dumps.
 */

export interface TestIface {
  name: string;
  /** `address/len`, as `ip addr add` takes it. */
  addresses: string[];
  kind?: string | null;
  master?: string | null;
}

export interface TestHost {
  name: string;
  ifaces: TestIface[];
  routes?: {
    dst: string;
    via?: string;
    dev: string;
    table?: string;
    type?: Route['type'];
    metric?: number;
  }[];
  rules?: Partial<PolicyRule>[];
  iptables?: string[];
  /** `nft -j list ruleset` output. */
  nftJson?: string;
  sysctls?: Record<string, string>;
}

function familyOf(text: string): IpFamily {
  return ipParse(text.split('/')[0]!)!.family;
}

export function testRoute(r: Partial<Route> & { dst: string; family: IpFamily }): Route {
  return {
    table: 'main',
    type: 'unicast',
    dstText: r.dst,
    src: null,
    gateway: null,
    dev: null,
    protocol: 'static',
    scope: 'global',
    prefsrc: null,
    metric: null,
    flags: [],
    pref: null,
    nexthops: [],
    nhid: null,
    metrics: {},
    ...r,
  };
}

export function testRule(r: Partial<PolicyRule> & { family: IpFamily; priority: number }): PolicyRule {
  return {
    not: false,
    src: 'all',
    dst: 'all',
    iif: null,
    iifDetached: false,
    oif: null,
    oifDetached: false,
    fwmark: null,
    fwmask: null,
    tos: null,
    ipproto: null,
    sport: null,
    dport: null,
    uidrange: null,
    l3mdev: false,
    table: 'main',
    action: 'to_tbl',
    goto: null,
    unresolved: false,
    suppressPrefixlength: null,
    suppressIfgroup: null,
    ...r,
  };
}

export function testHost(h: TestHost): Snapshot {
  const s = emptySnapshot({ host: h.name, kind: 'host' });
  const ifaces: TestIface[] = [{ name: 'lo', addresses: ['127.0.0.1/8', '::1/128'] }, ...h.ifaces];
  ifaces.forEach((i, n) => {
    const iface: Interface = {
      index: n + 1,
      name: i.name,
      kind: i.kind ?? null,
      slaveKind: null,
      mtu: 1500,
      operState: 'UP',
      flags: ['UP'],
      mac: null,
      linkType: i.name === 'lo' ? 'loopback' : 'ether',
      master: i.master ?? null,
      peer: null,
      parent: null,
      bridgePort: null,
      bridge: null,
      vxlan: null,
      altnames: [],
    };
    s.interfaces.push(iface);
    for (const cidr of i.addresses) {
      const [addr, lenText] = cidr.split('/');
      const family = familyOf(addr!);
      const len = Number(lenText);
      const a: Address = {
        ifindex: n + 1,
        ifname: i.name,
        family,
        local: addr!,
        prefixlen: len,
        scope: i.name === 'lo' ? 'host' : 'global',
        broadcast: null,
        peer: null,
        label: null,
        flags: [],
      };
      s.addresses.push(a);
      s.routes.push(
        testRoute({
          family,
          table: 'local',
          type: 'local',
          dst: i.name === 'lo' && family === 'ip' ? '127.0.0.0/8' : addr!,
          dev: i.name,
          prefsrc: addr!,
          scope: 'host',
          protocol: 'kernel',
        }),
      );
      const net = prefixParse(cidr)!;
      if (i.name !== 'lo' && net.len < (family === 'ip' ? 32 : 128))
        s.routes.push(
          testRoute({
            family,
            dst: `${ipText({ family, value: net.value })}/${net.len}`,
            dev: i.name,
            prefsrc: addr!,
            scope: 'link',
            protocol: 'kernel',
          }),
        );
    }
  });
  for (const r of h.routes ?? [])
    s.routes.push(
      testRoute({
        family: familyOf(r.dst === 'default' ? (r.via ?? '0.0.0.0') : r.dst),
        dst: r.dst,
        gateway: r.via ?? null,
        dev: r.dev,
        table: r.table ?? 'main',
        type: r.type ?? 'unicast',
        metric: r.metric ?? null,
      }),
    );
  for (const family of ['ip', 'ip6'] as const) {
    s.policyRules.push(
      testRule({ family, priority: 0, table: 'local' }),
      testRule({ family, priority: 32766, table: 'main' }),
      testRule({ family, priority: 32767, table: 'default' }),
    );
    for (const r of h.rules ?? [])
      if ((r.family ?? 'ip') === family) s.policyRules.push(testRule({ family, priority: 100, ...r }));
  }
  s.routingFamilies = ['ip', 'ip6'];
  s.sysctls = { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1', ...h.sysctls };
  for (const text of h.iptables ?? [])
    s.netfilter.iptables.push(parseIptablesSave(text, { file: `${h.name}.iptables-save` }));
  if (h.nftJson) s.netfilter.nftables = parseNftJson(h.nftJson, { file: `${h.name}.nft.json` });
  return s;
}

/** A first packet from 203.0.113.2:40000 that arrives on eth0 of the first host, to dst:dport. */
export function receivedQuery(dst: string, dport: number, over: Partial<TraceQuery> = {}): TraceQuery {
  return {
    src: '203.0.113.2',
    sport: 40000,
    dst,
    dport,
    proto: 'tcp',
    entry: { kind: 'iif', host: null, iface: 'eth0' },
    state: 'new',
    mark: 0,
    reply: false,
    ...over,
  };
}

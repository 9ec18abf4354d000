import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Route } from '../model/iproute';
import { Route as RouteSchema } from '../model/iproute';
import { ParseError } from '../parse/parse-error';
import { parseIpRoute } from './parse-route';

const fixtures = path.resolve(__dirname, '__fixtures__');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

function find(routes: Route[], dst: string, table = 'main'): Route {
  const r = routes.filter((x) => x.dst === dst && x.table === table);
  if (r.length !== 1) throw new Error(`expected one route ${dst} in table ${table}, found ${r.length}`);
  return r[0]!;
}

function parseError(text: string, family?: 'ip' | 'ip6'): string {
  try {
    parseIpRoute(text, { file: 'route.json', family });
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as ParseError).message;
  }
  throw new Error('expected a ParseError');
}

describe('parseIpRoute on captured `ip -j route show table all`', () => {
  // iproute2 6.1 lists both families when no -4/-6 is given.
  const text = fixture('ip-route.json');
  const routes = parseIpRoute(text, { file: 'ip-route.json' });

  it('reads every route, each valid against the model', () => {
    expect(routes).toHaveLength((JSON.parse(text) as unknown[]).length);
    for (const r of routes) expect(RouteSchema.safeParse(r).success).toBe(true);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(routes, null, 2) + '\n').toMatchFileSnapshot(
      '__fixtures__/golden/ip-route.parsed.json',
    );
  });

  it('fills the defaults iproute2 leaves out and writes default as 0.0.0.0/0', () => {
    expect(find(routes, '0.0.0.0/0')).toEqual({
      family: 'ip',
      table: 'main',
      type: 'unicast',
      dst: '0.0.0.0/0',
      dstText: 'default',
      src: null,
      gateway: '198.18.0.2',
      dev: 'va',
      protocol: 'boot',
      scope: 'global',
      prefsrc: null,
      metric: null,
      flags: [],
      pref: null,
      nexthops: [],
      nhid: null,
      metrics: {},
    });
    expect(find(routes, '0.0.0.0/0', '100').gateway).toBe('198.18.0.2');
  });

  it('gives host routes their full prefix and keeps the printed text', () => {
    const host = find(routes, '198.18.50.1/32');
    expect(host.dstText).toBe('198.18.50.1');
    expect(host.gateway).toBe('198.18.0.2');
    const peer = find(routes, '198.18.20.2/32');
    expect([peer.protocol, peer.scope, peer.prefsrc]).toEqual(['kernel', 'link', '198.18.20.1']);
  });

  it('reads the multipath route with each nexthop and weight', () => {
    const mp = find(routes, '198.18.104.0/24');
    expect([mp.gateway, mp.dev]).toEqual([null, null]);
    expect(mp.nexthops).toEqual([
      { gateway: '198.18.0.2', dev: 'va', weight: 1, flags: [] },
      { gateway: '198.18.10.254', dev: 'stub0', weight: 2, flags: [] },
    ]);
  });

  it('reads route types, tables, protocol, metric, metrics and flags', () => {
    expect(find(routes, '198.18.101.0/24').type).toBe('blackhole');
    expect(find(routes, '198.18.102.0/24').type).toBe('unreachable');
    expect(find(routes, '198.18.103.0/24').type).toBe('prohibit');
    expect(find(routes, '198.18.106.0/24', '100')).toMatchObject({ type: 'throw', dev: null });
    expect(find(routes, '198.18.60.0/24', '100')).toMatchObject({ type: 'local', dev: 'lo', scope: 'host' });
    expect(find(routes, '198.18.105.0/24', '100')).toMatchObject({
      dev: 'stub0',
      scope: 'link',
      prefsrc: '198.18.10.1',
    });
    expect(find(routes, '198.18.109.0/24', 'default').gateway).toBe('198.18.0.2');
    expect(find(routes, '198.18.100.0/24')).toMatchObject({ protocol: 'static', metric: 100 });
    expect(find(routes, '198.18.107.0/24').metrics).toEqual({ mtu: 1400 });
    expect(find(routes, '198.18.108.0/24')).toMatchObject({ gateway: '198.18.99.1', flags: ['onlink'] });
    expect(find(routes, '198.18.0.3/32', 'local')).toMatchObject({
      type: 'broadcast',
      dstText: '198.18.0.3',
      dev: 'va',
    });
    expect(find(routes, '127.0.0.0/8', 'local')).toMatchObject({ type: 'local', prefsrc: '127.0.0.1' });
  });

  it('tells the IPv6 routes apart in the same file', () => {
    expect(routes.filter((r) => r.family === 'ip')).toHaveLength(35);
    expect(routes.filter((r) => r.family === 'ip6')).toHaveLength(51);
    const v6 = parseIpRoute(fixture('ip6-route.json'), { file: 'ip6-route.json' });
    expect(routes.filter((r) => r.family === 'ip6')).toEqual(v6);
  });
});

describe('parseIpRoute on captured `ip -6 -j route show table all`', () => {
  const routes = parseIpRoute(fixture('ip6-route.json'), { file: 'ip6-route.json' });

  it('reads IPv6 defaults, metrics, preference and host prefixes', () => {
    expect(routes.every((r) => r.family === 'ip6')).toBe(true);
    expect(find(routes, '::/0')).toMatchObject({
      dstText: 'default',
      gateway: 'fd00:1::2',
      metric: 1024,
      pref: 'medium',
    });
    expect(find(routes, '::/0', '100').gateway).toBe('fd00:1::2');
    expect(find(routes, 'fd00:200::/64').metric).toBe(512);
    expect(find(routes, 'fd00:201::/64').pref).toBe('high');
    expect(find(routes, 'fd00:206::1/128').dstText).toBe('fd00:206::1');
    expect(find(routes, 'fd00:202::/64')).toMatchObject({ type: 'blackhole', dev: 'lo' });
    expect(find(routes, 'fd00:203::/64').type).toBe('unreachable');
    expect(find(routes, 'fd00:204::/64').type).toBe('prohibit');
  });

  it('reads the source-specific route and the IPv6 multipath route', () => {
    expect(find(routes, 'fd00:400::/64').src).toBe('fd00:1::/64');
    expect(find(routes, 'fd00:205::/64').nexthops).toEqual([
      { gateway: 'fd00:1::2', dev: 'va', weight: 1, flags: [] },
      { gateway: 'fd00:2::2', dev: 'br0', weight: 3, flags: [] },
    ]);
  });

  it('reads the local table: local, anycast and multicast routes', () => {
    expect(find(routes, '::1/128', 'local')).toMatchObject({ type: 'local', metric: 0 });
    expect(find(routes, 'fd00:1::/128', 'local')).toMatchObject({
      type: 'anycast',
      dstText: 'fd00:1::',
      dev: 'va',
    });
    const multicast = routes.filter((r) => r.type === 'multicast');
    expect(multicast).toHaveLength(8);
    expect(multicast.every((r) => r.dst === 'ff00::/8' && r.table === 'local')).toBe(true);
  });
});

describe('parseIpRoute family of routes without addresses', () => {
  const blackholeDefault = '[{"type":"blackhole","dst":"default","flags":[]}]';

  it('uses the caller hint, else IPv4', () => {
    expect(parseIpRoute(blackholeDefault, { file: 'r.json' })[0]).toMatchObject({
      family: 'ip',
      dst: '0.0.0.0/0',
    });
    expect(parseIpRoute(blackholeDefault, { file: 'r.json', family: 'ip6' })[0]).toMatchObject({
      family: 'ip6',
      dst: '::/0',
    });
  });

  it('follows the other routes of the file over the hint', () => {
    const text =
      '[{"type":"blackhole","dst":"default","flags":[]},{"dst":"10.0.0.0/8","dev":"eth0","flags":[]}]';
    expect(parseIpRoute(text, { file: 'r.json', family: 'ip6' }).map((r) => r.dst)).toEqual([
      '0.0.0.0/0',
      '10.0.0.0/8',
    ]);
  });

  it('knows an IPv6 route by its pref even in a mixed file', () => {
    const text =
      '[{"type":"unreachable","dst":"default","dev":"lo","metric":4294967295,"flags":[],"pref":"medium"},' +
      '{"dst":"10.0.0.0/8","dev":"eth0","flags":[]}]';
    expect(parseIpRoute(text, { file: 'r.json' }).map((r) => [r.family, r.dst])).toEqual([
      ['ip6', '::/0'],
      ['ip', '10.0.0.0/8'],
    ]);
  });

  it('writes the 0/len form with the zero address', () => {
    const text = '[{"dst":"0/8","dev":"eth0","flags":[]},{"dst":"10.0.0.0/8","dev":"eth0","flags":[]}]';
    expect(parseIpRoute(text, { file: 'r.json' })[0]!.dst).toBe('0.0.0.0/8');
  });
});

describe('parseIpRoute on other shapes iproute2 prints', () => {
  it('reads -d output, which spells out type, table, protocol and scope', () => {
    const text =
      '[{"type":"unicast","dst":"198.18.5.0/24","gateway":"198.18.0.2","dev":"va","table":"main","protocol":"boot","scope":"global","flags":["linkdown"]}]';
    expect(parseIpRoute(text, { file: 'r.json' })[0]).toMatchObject({
      type: 'unicast',
      table: 'main',
      protocol: 'boot',
      scope: 'global',
      flags: ['linkdown'],
    });
  });

  it('reads an IPv4 route via an IPv6 gateway (RFC 5549) as IPv4', () => {
    const text = '[{"dst":"10.0.0.0/8","via":{"family":"inet6","host":"fe80::1"},"dev":"eth0","flags":[]}]';
    expect(parseIpRoute(text, { file: 'r.json' })[0]).toMatchObject({ family: 'ip', gateway: 'fe80::1' });
  });

  it('reads nexthop objects and route features', () => {
    const text =
      '[{"dst":"10.0.0.0/8","nhid":7,"flags":[],"metrics":[{"features":["ecn"],"congestion":"bbr"}]}]';
    expect(parseIpRoute(text, { file: 'r.json' })[0]).toMatchObject({
      nhid: 7,
      metrics: { features: ['ecn'], congestion: 'bbr' },
    });
  });

  it('reads an empty table list', () => {
    expect(parseIpRoute('[]\n', { file: 'r.json' })).toEqual([]);
  });
});

describe('parseIpRoute errors', () => {
  it('names the line and column of truncated JSON', () => {
    expect(parseError('[{"dst":"default","flags":[]},\n {"dst":"10.0.0.0/8","fl')).toBe(
      "route.json:2:25: unexpected end of file: expected '\"' to close the string opened at 2:22",
    );
    expect(parseError('[{"dst":"default","flags":[]}')).toBe(
      "route.json:1:30: unexpected end of file: expected ',' or ']'",
    );
    expect(parseError('[{"dst":"default","flags":[]},]')).toBe(
      "route.json:1:31: unexpected ']': expected a JSON value",
    );
  });

  it('names the array index and field of a wrong shape, at its position', () => {
    expect(
      parseError(
        '[{"dst":"default","flags":[]},\n {"dst":"10.0.0.0/8","flags":[]},\n {"dst":"10.1.0.0/16","flags":[]},\n {"dst": 7, "flags":[]}]',
      ),
    ).toBe('route.json:4:10: [3].dst: expected a string');
    expect(parseError('[\n  {"dst":"default"}\n]')).toBe(
      'route.json:2:3: [0].flags: expected an array, but it is missing',
    );
    expect(parseError('[{"dst":"default","flags":[],"nexthops":[{"gateway":"10.0.0.1","weight":0}]}]')).toBe(
      'route.json:1:73: [0].nexthops[0].weight: expected a number > 0',
    );
    expect(parseError('{"dst":"default"}')).toBe(
      'route.json:1:1: expected the JSON array `ip -j route` prints',
    );
  });

  it('rejects bad addresses, mixed families and unknown types', () => {
    expect(parseError('[{"dst":"10.0.0.0/33","flags":[]}]')).toBe(
      "route.json:1:9: [0].dst: expected default, an address or a prefix, got '10.0.0.0/33'",
    );
    expect(parseError('[{"dst":"10.0.0.0/8","gateway":"fe80::1","flags":[]}]')).toBe(
      "route.json:1:32: [0].gateway: expected an IPv4 address like the rest of the entry, got 'fe80::1'",
    );
    expect(parseError('[{"dst":"10.0.0.0/8","prefsrc":"eth0","flags":[]}]')).toBe(
      "route.json:1:32: [0].prefsrc: expected an IP address, got 'eth0'",
    );
    expect(parseError('[{"type":"weird","dst":"10.0.0.0/8","flags":[]}]')).toBe(
      "route.json:1:10: [0].type: unknown route type 'weird': expected unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw, nat, unspec, xresolve",
    );
  });

  it('rejects binary data, empty files and plain text', () => {
    expect(parseError('[\n{"dst"\u0000\u0001')).toBe(
      'route.json:2:7: binary data: expected the JSON array `ip -j route` prints',
    );
    expect(parseError(' \n')).toBe(
      'route.json:1:1: empty file: expected the JSON array `ip -j route` prints',
    );
    expect(parseError('default via 10.0.0.1 dev eth0\n')).toBe(
      "route.json:1:1: unexpected 'default': expected a JSON value",
    );
  });

  it('keeps the message of a 1 MB line short', () => {
    const message = parseError(`[{"dst":"${'x'.repeat(1_000_000)}","flags":[]}]`);
    expect(message).toBe(
      `route.json:1:9: [0].dst: expected default, an address or a prefix, got '${'x'.repeat(40)}…'`,
    );
    expect(parseError('x'.repeat(1_000_000))).toBe(
      `route.json:1:1: unexpected '${'x'.repeat(40)}…': expected a JSON value`,
    );
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Interface } from '../model/iproute';
import { Interface as InterfaceSchema } from '../model/iproute';
import { ParseError } from '../parse/parse-error';
import { parseIpLink } from './parse-link';

const fixtures = path.resolve(__dirname, '__fixtures__');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

function named(links: Interface[], name: string): Interface {
  const l = links.find((x) => x.name === name);
  if (!l) throw new Error(`no interface ${name}`);
  return l;
}

function parseError(text: string): string {
  try {
    parseIpLink(text, { file: 'link.json' });
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as ParseError).message;
  }
  throw new Error('expected a ParseError');
}

const loopback =
  '{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"mtu":65536,"operstate":"UNKNOWN","link_type":"loopback"}';

describe('parseIpLink on captured `ip -j -d link`', () => {
  const text = fixture('ip-link.json');
  const links = parseIpLink(text, { file: 'ip-link.json' });

  it('reads every interface, each valid against the model', () => {
    expect(links.map((l) => `${l.index}:${l.name}`)).toEqual([
      '1:lo',
      '2:va',
      '3:vs1',
      '4:vs0',
      '5:br0',
      '6:vx0',
      '7:vx1',
      '8:vx6',
      '9:mv0',
      '10:stub0',
    ]);
    for (const l of links) expect(InterfaceSchema.safeParse(l).success).toBe(true);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(links, null, 2) + '\n').toMatchFileSnapshot(
      '__fixtures__/golden/ip-link.parsed.json',
    );
  });

  it('reads loopback with no kind', () => {
    expect(named(links, 'lo')).toEqual({
      index: 1,
      name: 'lo',
      kind: null,
      slaveKind: null,
      mtu: 65536,
      operState: 'UNKNOWN',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      mac: '00:00:00:00:00:00',
      linkType: 'loopback',
      master: null,
      peer: null,
      parent: null,
      bridgePort: null,
      bridge: null,
      vxlan: null,
      altnames: [],
    });
  });

  it('reads a veth whose peer is in another namespace by index and netns id', () => {
    expect(named(links, 'va')).toMatchObject({
      kind: 'veth',
      mac: '02:70:6c:00:00:01',
      operState: 'UP',
      peer: { ifindex: 2, name: null, netnsId: 0 },
      altnames: ['plcap-uplink'],
    });
  });

  it('reads a veth pair inside one namespace by name', () => {
    expect(named(links, 'vs1').peer).toEqual({ ifindex: 4, name: 'vs0', netnsId: null });
    expect(named(links, 'vs0').peer).toEqual({ ifindex: 3, name: 'vs1', netnsId: null });
  });

  it('reads the bridge port in hairpin mode and its bridge', () => {
    expect(named(links, 'vs0')).toMatchObject({
      master: 'br0',
      slaveKind: 'bridge',
      bridgePort: {
        state: 'forwarding',
        hairpin: true,
        learning: true,
        flood: true,
        isolated: false,
        proxyArp: false,
        neighSuppress: false,
      },
    });
    expect(named(links, 'br0')).toMatchObject({
      kind: 'bridge',
      bridge: {
        vlanFiltering: false,
        stpState: 0,
        nfCallIptables: true,
        nfCallIp6tables: false,
        nfCallArptables: false,
      },
    });
  });

  it('reads vxlan tunnels: unicast, multicast group, IPv6', () => {
    expect(named(links, 'vx0')).toMatchObject({
      mtu: 1450,
      vxlan: { id: 42, local: '198.18.0.1', remote: '198.18.0.2', group: null, port: 4789, dev: 'va' },
    });
    expect(named(links, 'vx1')).toMatchObject({
      operState: 'DOWN',
      vxlan: { id: 43, local: null, remote: null, group: '239.1.1.1', port: 4789, dev: 'va' },
    });
    expect(named(links, 'vx6').vxlan).toEqual({
      id: 44,
      local: 'fd00:1::1',
      remote: 'fd00:1::2',
      group: null,
      port: 4789,
      dev: 'va',
    });
  });

  it('reads the lower device of a macvlan as its parent', () => {
    expect(named(links, 'mv0')).toMatchObject({
      kind: 'macvlan',
      peer: null,
      parent: { ifindex: 2, name: 'va', netnsId: null },
    });
  });

  it('reads the stub device (ifb where the kernel has no dummy)', () => {
    // The capture falls back to ifb when the kernel lacks dummy; see scripts/capture-iproute-fixtures.sh.
    expect(['dummy', 'ifb']).toContain(named(links, 'stub0').kind);
    expect(named(links, 'stub0').flags).toContain('NOARP');
  });

  it('reads the other end of the veth from the peer namespace', () => {
    const peer = parseIpLink(fixture('peer-ip-link.json'), { file: 'peer-ip-link.json' });
    expect(named(peer, 'vb').peer).toEqual({ ifindex: 2, name: null, netnsId: 0 });
  });
});

describe('parseIpLink on other shapes', () => {
  it('reads plain `ip -j link` without details', () => {
    expect(parseIpLink(`[${loopback}]`, { file: 'l.json' })[0]).toMatchObject({
      kind: null,
      bridge: null,
      mac: null,
    });
  });

  it('reads an unresolvable peer name and 0/1 bridge switches', () => {
    const text =
      '[{"ifindex":3,"link":"if9","ifname":"v","flags":[],"mtu":1500,"operstate":"UP","link_type":"ether",' +
      '"linkinfo":{"info_kind":"veth","info_slave_kind":"bridge","info_slave_data":{"hairpin":1,"learning":0}}}]';
    expect(parseIpLink(text, { file: 'l.json' })[0]).toMatchObject({
      peer: { ifindex: 9, name: null, netnsId: null },
      bridgePort: { hairpin: true, learning: false, state: null },
    });
  });
});

describe('parseIpLink errors', () => {
  it('names the index and field of a wrong shape', () => {
    expect(
      parseError(
        `[${loopback},\n {"ifindex":2,"ifname":"x","flags":[],"mtu":"1500","operstate":"UP","link_type":"ether"}]`,
      ),
    ).toBe('link.json:2:45: [1].mtu: expected a number');
    expect(parseError('[{"ifindex":0,"ifname":"x"}]')).toBe(
      'link.json:1:13: [0].ifindex: expected a number > 0',
    );
    expect(
      parseError(
        '[{"ifindex":1,"ifname":"v","flags":[],"mtu":1,"operstate":"UP","link_type":"ether","linkinfo":{"info_kind":"vxlan","info_data":{"id":"x"}}}]',
      ),
    ).toBe('link.json:1:134: [0].linkinfo.info_data.id: expected a number');
    expect(
      parseError(
        '[{"ifindex":1,"ifname":"v","flags":[],"mtu":1,"operstate":"UP","link_type":"ether","linkinfo":{"info_slave_kind":"bridge","info_slave_data":{"hairpin":"on"}}}]',
      ),
    ).toBe('link.json:1:152: [0].linkinfo.info_slave_data.hairpin: expected true or false or 0 or 1');
  });

  it('names the position of broken JSON', () => {
    expect(parseError(`[${loopback}\n{`)).toBe("link.json:2:1: unexpected '{': expected ',' or ']'");
  });
});

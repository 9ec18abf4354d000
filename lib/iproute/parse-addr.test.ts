import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Address } from '../model/iproute';
import { Address as AddressSchema } from '../model/iproute';
import { ParseError } from '../parse/parse-error';
import { parseIpAddr } from './parse-addr';

const fixtures = path.resolve(__dirname, '__fixtures__');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

function local(addrs: Address[], address: string): Address {
  const a = addrs.find((x) => x.local === address);
  if (!a) throw new Error(`no address ${address}`);
  return a;
}

function parseError(text: string): string {
  try {
    parseIpAddr(text, { file: 'addr.json' });
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as ParseError).message;
  }
  throw new Error('expected a ParseError');
}

describe('parseIpAddr on captured `ip -j addr`', () => {
  const text = fixture('ip-addr.json');
  const addrs = parseIpAddr(text, { file: 'ip-addr.json' });

  it('flattens every addr_info entry, each valid against the model', () => {
    const links = JSON.parse(text) as { addr_info: unknown[] }[];
    expect(addrs).toHaveLength(links.reduce((n, l) => n + l.addr_info.length, 0));
    for (const a of addrs) expect(AddressSchema.safeParse(a).success).toBe(true);
  });

  it('matches the golden output', async () => {
    await expect(JSON.stringify(addrs, null, 2) + '\n').toMatchFileSnapshot(
      '__fixtures__/golden/ip-addr.parsed.json',
    );
  });

  it('reads plain IPv4 and IPv6 addresses with their link', () => {
    expect(local(addrs, '198.18.0.1')).toEqual({
      ifindex: 2,
      ifname: 'va',
      family: 'ip',
      local: '198.18.0.1',
      prefixlen: 30,
      scope: 'global',
      broadcast: null,
      peer: null,
      label: 'va',
      flags: [],
    });
    expect(local(addrs, 'fd00:1::1')).toMatchObject({
      ifname: 'va',
      family: 'ip6',
      prefixlen: 64,
      label: null,
    });
    expect(local(addrs, 'fe80::70:6cff:fe00:1')).toMatchObject({ scope: 'link', family: 'ip6' });
    expect(local(addrs, '::1')).toMatchObject({ ifname: 'lo', scope: 'host', prefixlen: 128 });
  });

  it('reads the point-to-point peer, labels and flags', () => {
    expect(local(addrs, '198.18.20.1')).toMatchObject({ peer: '198.18.20.2', prefixlen: 32 });
    expect(local(addrs, '198.18.10.2')).toMatchObject({ label: 'stub0:svc', flags: ['secondary'] });
    expect(local(addrs, '198.18.30.1').flags).toEqual(['dynamic']);
    expect(local(addrs, 'fd00:3::1').flags).toEqual(['deprecated', 'noprefixroute']);
    expect(local(addrs, 'fd00:4::1')).toMatchObject({ ifname: 'vx1', flags: ['tentative'] });
  });
});

describe('parseIpAddr on other shapes', () => {
  it('reads -4 output, which has no link_type, and skips {} placeholders', () => {
    const text =
      '[{},{"ifindex":3,"link":"vb","ifname":"va","flags":["BROADCAST"],"mtu":1500,"operstate":"DOWN",' +
      '"addr_info":[{},{"family":"inet","local":"198.18.0.1","prefixlen":30,"broadcast":"198.18.0.3","scope":"global","label":"va"}]}]';
    expect(parseIpAddr(text, { file: 'a.json' })).toEqual([
      {
        ifindex: 3,
        ifname: 'va',
        family: 'ip',
        local: '198.18.0.1',
        prefixlen: 30,
        scope: 'global',
        broadcast: '198.18.0.3',
        peer: null,
        label: 'va',
        flags: [],
      },
    ]);
  });
});

describe('parseIpAddr errors', () => {
  it('names the index, entry and field of a wrong shape', () => {
    expect(
      parseError(
        '[{"ifindex":1,"ifname":"a","addr_info":[\n  {"family":"inet","local":"1.2.3.4","prefixlen":40,"scope":"global"}]}]',
      ),
    ).toBe('addr.json:2:50: [0].addr_info[0].prefixlen: expected a prefix length of at most 32');
    expect(
      parseError(
        '[{"ifindex":1,"ifname":"a","addr_info":[{"family":"inet6","local":"1.2.3.4","prefixlen":64,"scope":"global"}]}]',
      ),
    ).toBe("addr.json:1:67: [0].addr_info[0].local: expected an inet6 address, got '1.2.3.4'");
    expect(parseError('[{"ifindex":1,"ifname":"a"}]')).toBe(
      'addr.json:1:2: [0].addr_info: expected an array, but it is missing',
    );
  });
});

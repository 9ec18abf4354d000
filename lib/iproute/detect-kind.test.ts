import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectIpJsonKind } from './detect-kind';

const fixtures = path.resolve(__dirname, '__fixtures__');
const parsed = (name: string): unknown => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8'));

describe('detectIpJsonKind', () => {
  it.each([
    ['ip-link.json', 'link'],
    ['peer-ip-link.json', 'link'],
    ['ip-addr.json', 'addr'],
    ['ip-route.json', 'route'],
    ['ip6-route.json', 'route'],
    ['ip-rule.json', 'rule'],
    ['ip6-rule.json', 'rule'],
    ['peer-ip6-rule.json', 'rule'],
    ['ip-neigh.json', 'neigh'],
    ['ip6-neigh.json', 'neigh'],
  ])('tells %s is %s output', (file, kind) => {
    expect(detectIpJsonKind(parsed(file))).toBe(kind);
  });

  it('tells -4 addr output (no link_type) and leading {} placeholders', () => {
    expect(detectIpJsonKind([{}, { ifindex: 1, ifname: 'lo', addr_info: [] }])).toBe('addr');
  });

  it('tells a neighbour without lladdr, and a route from a neighbour', () => {
    expect(detectIpJsonKind([{ dst: 'fd00:1::2', dev: 'va', state: ['INCOMPLETE'] }])).toBe('neigh');
    expect(detectIpJsonKind([{ dst: 'default', gateway: '10.0.0.1', flags: [] }])).toBe('route');
  });

  it('returns null for an empty array and for what is not ip -j output', () => {
    expect(detectIpJsonKind([])).toBeNull();
    expect(detectIpJsonKind([{}])).toBeNull();
    expect(detectIpJsonKind({ nftables: [] })).toBeNull();
    expect(detectIpJsonKind([1, 2])).toBeNull();
    expect(detectIpJsonKind([{ name: 'x' }])).toBeNull();
    expect(detectIpJsonKind(null)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { ruleSearch, searchIndex, searchQueryParse, SearchRequest } from './rule-search';
import { portRanges, v4Ranges } from './search-tokens';
import { fixtureSnapshot } from './views.test-support';

const cni = fixtureSnapshot('iptables/__fixtures__/cni-bridge-portmap.iptables-save');
const cniIx = searchIndex(cni.index);
const nft = fixtureSnapshot('nftables/__fixtures__/native-features.nft.json');
const nftIx = searchIndex(nft.index);

const find = (which: typeof cni, ix: typeof cniIx, q: string, extra: Record<string, unknown> = {}) =>
  ruleSearch(which.index, ix, SearchRequest.parse({ q, ...extra }));
const hits = (r: ReturnType<typeof find>) => r.rules.map((h) => `${h.chain} ${h.index}`);

// Expectations read from lib/iptables/__fixtures__/cni-bridge-portmap.iptables-save by hand.
describe('ruleSearch on iptables rules', () => {
  it('finds an address in rules naming it, a CIDR holding it or a NAT destination', () => {
    const r = find(cni, cniIx, '198.18.64.2');
    expect(r.terms).toEqual(['address 198.18.64.2']);
    expect(hits(r)).toEqual([
      'CNI-FORWARD 2',
      'CNI-FORWARD 3',
      'POSTROUTING 2',
      'CNI-3954f9866efbfa532604c3fb 1',
      'CNI-DN-3954f9866efbfa532604c 1',
      'CNI-DN-3954f9866efbfa532604c 3',
    ]);
    expect(r.total).toBe(6);
  });

  it('finds ports matched (single, multiport) and translated to', () => {
    expect(hits(find(cni, cniIx, '8080'))).toEqual([
      'CNI-DN-3954f9866efbfa532604c 1',
      'CNI-DN-3954f9866efbfa532604c 2',
      'CNI-DN-3954f9866efbfa532604c 3',
      'CNI-HOSTPORT-DNAT 1',
    ]);
    expect(hits(find(cni, cniIx, 'port:80'))).toEqual(['CNI-DN-3954f9866efbfa532604c 3']);
  });

  it('searches comments, chain names and text, all terms together', () => {
    expect(hits(find(cni, cniIx, 'comment:portfwd'))).toEqual(['POSTROUTING 1', 'CNI-HOSTPORT-SETMARK 1']);
    expect(hits(find(cni, cniIx, 'chain:hostport'))).toEqual([
      'CNI-HOSTPORT-DNAT 1',
      'CNI-HOSTPORT-MASQ 1',
      'CNI-HOSTPORT-SETMARK 1',
    ]);
    expect(find(cni, cniIx, 'MASQUERADE').total).toBe(4);
    expect(hits(find(cni, cniIx, 'masquerade chain:CNI-3954'))).toEqual(['CNI-3954f9866efbfa532604c3fb 2']);
    expect(hits(find(cni, cniIx, '"CNI portfwd masquerade"'))).toEqual(['CNI-HOSTPORT-SETMARK 1']);
  });

  it('pages results and limits them to a table', () => {
    const r = find(cni, cniIx, '198.18.64.2', { page: 2, pageSize: 4 });
    expect(hits(r)).toEqual(['CNI-DN-3954f9866efbfa532604c 1', 'CNI-DN-3954f9866efbfa532604c 3']);
    expect(r.total).toBe(6);
    expect(find(cni, cniIx, '198.18.64.2', { table: 'ipt:ip/filter' }).total).toBe(2);
    expect(find(cni, cniIx, '198.18.64.2', { table: 'ipt:ip/raw' }).error).toBe('no table ipt:ip/raw here');
  });
});

// Expectations read from lib/nftables/__fixtures__/native-features.nft by hand.
describe('ruleSearch on nft rules and set elements', () => {
  it('finds a port in rules, in anonymous sets, and in set and map elements', () => {
    const r = find(nft, nftIx, '443');
    expect(hits(r)).toEqual(['input 4', 'nat_prerouting 1', 'output_nat 1']);
    expect(r.elements).toEqual([{ table: 'nft:inet/plcap', set: 'svc', text: '10.96.0.1 . tcp . 443' }]);
    expect(find(nft, nftIx, '1500').elements.map((e) => e.text)).toEqual(['10.97.0.1 . 1000-2000 : drop']);
  });

  it('finds an address inside a map element prefix and an IPv6 prefix', () => {
    expect(find(nft, nftIx, '10.96.7.7').elements.map((e) => e.text)).toEqual([
      '10.0.0.0/8',
      '10.96.0.0/16 . 80 : jump web',
    ]);
    expect(hits(find(nft, nftIx, 'fd00::1'))).toEqual(['nat_postrouting 3']);
    expect(hits(find(nft, nftIx, 'comment:"pods to web"'))).toEqual(['web 1']);
  });
});

describe('searchQueryParse', () => {
  it('reads bare addresses and ports, and says what is wrong with a field', () => {
    expect(searchQueryParse('10.0.0.0/8 30000-32767 KUBE')).toMatchObject({
      terms: [{ kind: 'address' }, { kind: 'port', range: [30000, 32767] }, { kind: 'text', text: 'kube' }],
    });
    expect(searchQueryParse('port:70000')).toEqual({
      error: 'port:70000: expected a port 0-65535 or a range such as 30000-32767',
    });
    expect(searchQueryParse('addr:10.0.0.300')).toEqual({
      error: 'addr:10.0.0.300: expected an IPv4 or IPv6 address or CIDR',
    });
    expect(searchQueryParse('chain:')).toEqual({ error: 'chain: needs a value, e.g. chain:KUBE-SVC' });
  });
});

describe('search tokens', () => {
  it('reads addresses, prefixes and ranges as the tools print them', () => {
    expect(v4Ranges('-s 10.0.0.0/8 -d 1.2.3.4 --dst-range 10.0.0.1-10.0.0.9')).toEqual([
      [167772160, 184549375],
      [16909060, 16909060],
      [167772161, 167772169],
    ]);
  });
  it('reads ports from iptables options, nft sets and NAT destinations, not from other numbers', () => {
    expect(
      portRanges('-p tcp -m multiport --dports 80,443,8000:8100 -j DNAT --to-destination 10.0.0.2:8080'),
    ).toEqual([
      [80, 80],
      [443, 443],
      [8000, 8100],
      [8080, 8080],
    ]);
    expect(portRanges('tcp dport { 22, 80 } redirect to :8080')).toEqual([
      [22, 22],
      [80, 80],
      [8080, 8080],
    ]);
    expect(
      portRanges('-m mark --mark 0x4000/0x4000 -m statistic --probability 0.5 ether saddr 02:42:ac:11:00:02'),
    ).toEqual([]);
  });
});

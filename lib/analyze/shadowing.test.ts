import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../iptables/parse-save';
import { parseNftJson } from '../nftables/parse-json';
import { iptChainShadowing, nftChainShadowing, snapshotShadowing } from './shadowing';
import { buildSnapshot } from '../snapshot/build';
import { corpusDir, filesUnder, iptablesDumpName, nftJsonName } from '../testing/corpus.test-support';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Chain X of a filter table made of `rules` (and helper chains), shadowing findings as `later <- earlier` indexes. */
function shadows(rules: string[], extra = ''): string[] {
  const text = `*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n:Y - [0:0]\n${extra}${rules.map((r) => `-A X ${r}\n`).join('')}COMMIT\n`;
  const dump = parseIptablesSave(text, { file: 'hand-built' });
  const table = dump.tables[0]!;
  const chain = table.chains.find((c) => c.name === 'X')!;
  return iptChainShadowing(dump, table, chain).findings.map(
    (f) => `${f.kind} ${f.rule.index}<-${f.by.index}`,
  );
}

describe('shadowing: rules an earlier rule of the chain catches first', () => {
  it.each([
    [
      'a subnet inside a dropped one',
      ['-s 10.0.0.0/8 -j DROP', '-s 10.1.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT'],
    ],
    ['anything after an unconditional ACCEPT', ['-j ACCEPT', '-d 192.0.2.1/32 -p udp -j DROP']],
    [
      'a port inside a multiport range',
      ['-p tcp -m multiport --dports 1:1000 -j DROP', '-p tcp -m tcp --dport 80 -j ACCEPT'],
    ],
    ['an interface inside a wildcard', ['-i eth+ -j DROP', '-i eth0 -j ACCEPT']],
    ['a subnet outside a negated one', ['! -s 10.0.0.0/8 -j DROP', '-s 192.168.1.0/24 -j ACCEPT']],
    [
      'conntrack states inside states',
      ['-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '-m state --state ESTABLISHED -j DROP'],
    ],
    [
      'a full mark whose tested bit is set',
      ['-m mark --mark 0x4000/0x4000 -j RETURN', '-m mark --mark 0x4001 -j ACCEPT'],
    ],
    [
      'an address type with more conditions',
      ['-m addrtype --dst-type LOCAL -j DROP', '-p udp -m addrtype --dst-type LOCAL -j ACCEPT'],
    ],
    ['after a goto, which never comes back', ['-s 10.0.0.0/8 -g Y', '-s 10.0.0.1/32 -j DROP']],
    [
      'a later rule with a statistic match',
      ['-p tcp -j DROP', '-p tcp -m statistic --mode random --probability 0.50000000000 -j ACCEPT'],
    ],
    [
      'an address range covering a prefix',
      ['-m iprange --src-range 10.0.0.0-10.0.0.255 -j DROP', '-s 10.0.0.128/25 -j ACCEPT'],
    ],
    [
      'a negated port range',
      ['-p tcp -m tcp ! --dport 1024:65535 -j DROP', '-p tcp -m tcp --dport 22 -j ACCEPT'],
    ],
  ])('%s', (_name, rules) => {
    expect(shadows(rules)).toEqual(['shadowed 2<-1']);
  });

  it('after a jump to a chain that decides every packet', () => {
    expect(shadows(['-p tcp -j Y', '-p tcp -m tcp --dport 443 -j ACCEPT'], '-A Y -j DROP\n')).toEqual([
      'shadowed 2<-1',
    ]);
  });

  it.each([
    ['a subnet that overlaps a negated one', ['! -s 10.0.0.0/8 -j DROP', '-s 10.1.0.0/16 -j ACCEPT']],
    ['a different interface', ['-i eth0 -j DROP', '-i eth1 -j ACCEPT']],
    ['a wildcard wider than the name', ['-i eth0 -j DROP', '-i eth+ -j ACCEPT']],
    ['an excluded interface that is not the one', ['-i eth0 -j DROP', '! -i eth1 -j ACCEPT']],
    ['a wider mask', ['-s 10.0.0.0/16 -j DROP', '-s 10.0.0.0/8 -j ACCEPT']],
    [
      'a port range that sticks out',
      ['-p tcp -m tcp --dport 1:1000 -j DROP', '-p tcp -m tcp --dport 999:1001 -j ACCEPT'],
    ],
    ['another protocol', ['-p tcp -j DROP', '-p udp -m udp --dport 53 -j ACCEPT']],
    [
      'a module packetlens does not interpret in the earlier rule',
      ['-m nfacct --nfacct-name x -j DROP', '-j ACCEPT'],
    ],
    ['an earlier rule that only logs', ['-s 10.0.0.0/8 -j LOG', '-s 10.1.0.0/16 -j DROP']],
    [
      'an earlier statistic match',
      ['-m statistic --mode random --probability 0.50000000000 -j DROP', '-j ACCEPT'],
    ],
    [
      'an earlier recent check',
      ['-m recent --rcheck --seconds 60 --name x --mask 255.255.255.255 --rsource -j DROP', '-j ACCEPT'],
    ],
    [
      'a mark whose tested bit the later rule clears',
      ['-m mark --mark 0x4000/0x4000 -j RETURN', '-m mark --mark 0x0/0xff00 -j ACCEPT'],
    ],
    [
      'NEW excluded, but DNAT can come with NEW',
      ['-m conntrack ! --ctstate NEW -j ACCEPT', '-m conntrack --ctstate DNAT -j DROP'],
    ],
    [
      'a different tcp flag test',
      ['-p tcp -m tcp --tcp-flags SYN,ACK SYN -j DROP', '-p tcp -m tcp --tcp-flags SYN,RST SYN -j ACCEPT'],
    ],
  ])('not: %s', (_name, rules) => {
    expect(shadows(rules)).toEqual([]);
  });

  it('not after a jump to a chain that may return', () => {
    expect(shadows(['-j Y', '-p tcp -j ACCEPT'], '-A Y -s 1.2.3.4/32 -j RETURN\n-A Y -j DROP\n')).toEqual([]);
  });

  it('makes no claim when the later rule has a module it does not interpret', () => {
    const text =
      '*filter\n:X - [0:0]\n-A X -s 10.0.0.0/8 -j DROP\n-A X -s 10.1.0.0/16 -m nfacct --nfacct-name n -j ACCEPT\nCOMMIT\n';
    const dump = parseIptablesSave(text, { file: 'hand-built' });
    const table = dump.tables[0]!;
    const [f] = iptChainShadowing(dump, table, table.chains[0]!).findings;
    expect(f).toMatchObject({ kind: 'undecided', unknown: ['-m nfacct --nfacct-name n'] });
    expect(f!.rule.text).toBe('-A X -s 10.1.0.0/16 -m nfacct --nfacct-name n -j ACCEPT');
    expect(f!.by).toMatchObject({ index: 1, line: 3, text: '-A X -s 10.0.0.0/8 -j DROP' });
  });

  it('reports a repeated rule as a duplicate, not also as shadowed', () => {
    expect(
      shadows([
        '-s 10.0.0.0/8 -j DROP',
        '-s 10.0.0.0/8 -j DROP',
        '-s 10.0.0.0/8 -j LOG',
        '-s 10.0.0.0/8 -j LOG',
      ]),
    ).toEqual(['duplicate 2<-1', 'shadowed 3<-1', 'duplicate 4<-3']);
  });

  it('finds the earlier rule through the prefix index in a long chain', () => {
    const rules = Array.from({ length: 5000 }, (_, i) => `-d 10.${i >> 8}.${i & 255}.0/24 -j ACCEPT`);
    rules.push('-d 10.3.7.9/32 -p tcp -j DROP', '-d 10.200.0.0/16 -j DROP');
    expect(shadows(rules)).toEqual([`shadowed 5001<-${3 * 256 + 7 + 1}`]);
  });

  it('nft: a later rule inside an earlier accept, and a near miss', () => {
    const rule = (handle: number, expr: unknown[]) => ({
      rule: { family: 'inet', table: 't', chain: 'c', handle, expr },
    });
    const saddr = (op: string, right: unknown) => ({
      match: { op, left: { payload: { protocol: 'ip', field: 'saddr' } }, right },
    });
    const dport = (right: unknown) => ({
      match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right },
    });
    const json = JSON.stringify({
      nftables: [
        { table: { family: 'inet', name: 't', handle: 1 } },
        { chain: { family: 'inet', table: 't', name: 'c', handle: 2 } },
        rule(3, [saddr('==', { prefix: { addr: '10.0.0.0', len: 8 } }), { accept: null }]),
        rule(4, [saddr('==', '10.1.2.3'), dport(22), { drop: null }]),
        rule(5, [
          saddr('!=', { prefix: { addr: '10.0.0.0', len: 8 } }),
          dport({ range: [1, 1024] }),
          { drop: null },
        ]),
        rule(6, [saddr('==', '192.0.2.1'), dport(80), { accept: null }]),
        rule(7, [saddr('==', '192.0.2.1'), dport(2000), { accept: null }]),
      ],
    });
    const ruleset = parseNftJson(json, { file: 'hand-built.json' });
    const table = ruleset.tables[0]!;
    const findings = nftChainShadowing(table, table.chains[0]!).findings;
    expect(findings.map((f) => [f.kind, f.rule.handle, f.by.handle, f.rule.text])).toEqual([
      ['shadowed', 4, 3, 'ip saddr 10.1.2.3 tcp dport 22 drop'],
      ['shadowed', 6, 5, 'ip saddr 192.0.2.1 tcp dport 80 accept'],
    ]);
  });
});

describe('shadowing on the corpus', () => {
  it('finds nothing in the ufw server dump, as reading it shows', () => {
    // Read by hand: where a later rule of a ufw chain overlaps an earlier one, the earlier one either
    // may let packets go on (ufw-not-local and ufw-logging-deny RETURN; -m limit and -m recent --update
    // depend on state) or tests something the later one does not (other ports, protocols, states).
    const file = path.join(corpusDir, 'ufw/ufw-0.36.2-server.iptables');
    const snap = buildSnapshot([{ origin: file, text: readFileSync(file, 'utf8') }], { host: 'ufw' });
    expect(snapshotShadowing(snap)).toEqual({ findings: [], bounded: [] });
  });

  it('nft: reject with icmp in an inet table leaves IPv6 packets to later rules; plain reject does not', () => {
    // lib/nftables/__fixtures__/syntax-tour.nft, table inet tour, chain value_formats:
    //   reject with icmp port-unreachable   (nft adds a hidden "IPv4 only" to it in inet tables)
    //   reject                              (icmpx: every packet)
    //   ip dscp 0x07 ...
    const file = path.resolve(__dirname, '../nftables/__fixtures__/syntax-tour.nft.json');
    const snap = buildSnapshot([{ origin: file, text: readFileSync(file, 'utf8') }], { host: 'tour' });
    const inChain = snapshotShadowing(snap).findings.filter((f) => f.rule.chain === 'value_formats');
    expect(inChain.some((f) => f.by.text === 'reject with icmp port-unreachable')).toBe(false);
    expect(inChain[0]).toMatchObject({
      kind: 'shadowed',
      rule: { index: 3, text: 'ip dscp 0x07' },
      by: { index: 2, text: 'reject' },
    });
    // table ip tour4, chain snat_post: `snat to 1.2.3.0/24` takes every packet before the two other snat rules.
    expect(
      snapshotShadowing(snap)
        .findings.filter((f) => f.rule.chain === 'snat_post')
        .map((f) => [f.rule.index, f.by.index]),
    ).toEqual([
      [2, 1],
      [3, 1],
    ]);
    // chain dnat_pre: `dnat to ip daddr map { ... }` applies only to the map's keys, so it shadows nothing.
    expect(snapshotShadowing(snap).findings.filter((f) => f.rule.chain === 'dnat_pre')).toEqual([]);
  });

  it('never claims shadowing through a rule with a module it does not interpret', () => {
    for (const file of [...filesUnder(corpusDir, iptablesDumpName), ...filesUnder(corpusDir, nftJsonName)]) {
      const snap = buildSnapshot([{ origin: file, text: readFileSync(file, 'utf8') }], { host: 'corpus' });
      for (const f of snapshotShadowing(snap).findings)
        if (f.kind === 'shadowed') expect(f.unknown, `${file}: ${f.rule.text}`).toEqual([]);
    }
  });
});

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, filesUnder, nftJsonName } from '../testing/corpus.test-support';
import type { NftFamily, NftStmt } from '../model/nftables';
import { parseNftJson } from './parse-json';
import { nftPriorityResolve, nftPriorityText } from './priority';
import { nftRuleText, nftTimeText, renderNftExpr, renderNftRule, renderNftStmt } from './render-text';

const fixturesDir = path.resolve(__dirname, '__fixtures__');

/** The `nft list ruleset` text paired with a JSON dump: `X.list.nft` when there is one, else `X.nft`. */
function listingFor(json: string): string | null {
  const base = json.slice(0, -'.nft.json'.length);
  for (const candidate of [`${base}.list.nft`, `${base}.nft`]) if (existsSync(candidate)) return candidate;
  return null;
}

interface ListedChain {
  header: string | null;
  rules: string[];
}

/** Chains of an `nft list ruleset` text by "family table chain", with their trimmed rule lines. */
function listedChains(text: string): Map<string, ListedChain> {
  const out = new Map<string, ListedChain>();
  let table = '';
  let chain: ListedChain | null = null;
  for (const line of text.split('\n')) {
    const t = line.trim();
    const tableHead = /^table (\S+) (\S+) \{$/.exec(line);
    if (tableHead) table = `${tableHead[1]} ${tableHead[2]}`;
    const chainHead = /^\tchain (\S+) \{$/.exec(line);
    if (chainHead) {
      chain = { header: null, rules: [] };
      out.set(`${table} ${chainHead[1]}`, chain);
      continue;
    }
    if (chain === null) continue;
    if (line === '\t}') chain = null;
    else if (/^type \S+ hook /.test(t)) chain.header = t;
    // Blank lines, `#` comments (hand-written sources) and the chain's own comment are not rules.
    else if (t !== '' && !t.startsWith('#') && !/^comment "/.test(t)) chain.rules.push(t);
  }
  return out;
}

interface Difference {
  chain: string;
  index: number;
  listing: string | undefined;
  rendered: string | undefined;
}

interface KnownDifference extends Difference {
  why: string;
}

const HAND_WRITTEN =
  'the .nft source is hand-written input, not nft output; nft 1.0.6 lists this rule exactly as rendered (checked by loading it)';
const XT =
  'iptables-nft compat (xt) statement: nft lists libxtables’ translation of the match/target options, which nft -j does not carry';

// Every rule line that does not render exactly as its listing. Anything not listed here must match.
const KNOWN_DIFFERENCES: Readonly<Record<string, readonly KnownDifference[]>> = {
  'iptables-upstream/nft-native-0010.nft.json': [
    {
      chain: 'ip filter INPUT',
      index: 5,
      listing: 'tcp flags syn / syn,rst,ack,fin comment "same as iptables --syn"',
      rendered: 'tcp flags syn / fin,syn,rst,ack comment "same as iptables --syn"',
      why: HAND_WRITTEN,
    },
    {
      chain: 'ip filter INPUT',
      index: 7,
      listing: 'tcp flags & (syn | ack) != (syn | ack )',
      rendered: 'tcp flags != syn,ack / syn,ack',
      why: HAND_WRITTEN,
    },
    {
      chain: 'ip filter FORWARD',
      index: 1,
      listing: 'limit rate 10/day counter',
      rendered: 'limit rate 10/day counter packets 0 bytes 0',
      why: HAND_WRITTEN,
    },
    {
      chain: 'ip filter FORWARD',
      index: 2,
      listing: 'udp dport 42 counter',
      rendered: 'udp dport 42 counter packets 0 bytes 0',
      why: HAND_WRITTEN,
    },
    {
      chain: 'ip filter FORWARD',
      index: 3,
      listing:
        'meta iif "lo" oifname "lo*" log group 1 prefix "should use NFLOG" queue-threshold 42 snaplen 123',
      rendered: 'iif "lo" oifname "lo*" log prefix "should use NFLOG" group 1 snaplen 123 queue-threshold 42',
      why: HAND_WRITTEN,
    },
  ],
  'iptables-nft-compat.nft.json': [
    [
      'ip raw PREROUTING',
      1,
      'udp dport 4789 counter packets 0 bytes 0 notrack',
      'udp dport 4789 counter packets 0 bytes 0 xt target CT',
    ],
    [
      'ip mangle PREROUTING',
      1,
      'iifname "v0" counter packets 0 bytes 0 meta mark set mark and 0xffff00ff xor 0x100',
      'iifname "v0" counter packets 0 bytes 0 xt target MARK',
    ],
    [
      'ip mangle FORWARD',
      1,
      'tcp flags syn / syn,rst counter packets 0 bytes 0 tcp option maxseg size set rt mtu',
      'tcp flags syn / syn,rst counter packets 0 bytes 0 xt target TCPMSS',
    ],
    [
      'ip nat PREROUTING',
      1,
      'counter packets 0 bytes 0 jump KUBE-SERVICES',
      'xt match comment counter packets 0 bytes 0 jump KUBE-SERVICES',
    ],
    [
      'ip nat OUTPUT',
      1,
      'counter packets 0 bytes 0 jump KUBE-SERVICES',
      'xt match comment counter packets 0 bytes 0 jump KUBE-SERVICES',
    ],
    [
      'ip nat POSTROUTING',
      1,
      'ip saddr 10.244.0.0/16 ip daddr != 10.244.0.0/16 counter packets 0 bytes 0 masquerade fully-random',
      'ip saddr 10.244.0.0/16 ip daddr != 10.244.0.0/16 counter packets 0 bytes 0 xt target MASQUERADE',
    ],
    [
      'ip nat POSTROUTING',
      2,
      'oifname "v0" ip saddr 192.168.50.0/24 counter packets 0 bytes 0 snat to 203.0.113.5',
      'oifname "v0" ip saddr 192.168.50.0/24 counter packets 0 bytes 0 xt target SNAT',
    ],
    [
      'ip nat KUBE-SERVICES',
      1,
      'meta l4proto tcp ip daddr 10.96.0.10  tcp dport 80 counter packets 0 bytes 0 jump KUBE-SVC-EXAMPLE',
      'meta l4proto tcp ip daddr 10.96.0.10 xt match comment tcp dport 80 counter packets 0 bytes 0 jump KUBE-SVC-EXAMPLE',
    ],
    [
      'ip nat KUBE-SVC-EXAMPLE',
      1,
      'meta random & 2147483647 < 1073741824 counter packets 0 bytes 0 jump KUBE-SEP-ONE',
      'xt match comment xt match statistic counter packets 0 bytes 0 jump KUBE-SEP-ONE',
    ],
    [
      'ip nat KUBE-SVC-EXAMPLE',
      2,
      'counter packets 0 bytes 0 jump KUBE-SEP-TWO',
      'xt match comment counter packets 0 bytes 0 jump KUBE-SEP-TWO',
    ],
    [
      'ip nat KUBE-SEP-ONE',
      1,
      'ip saddr 10.244.1.5 counter packets 0 bytes 0 meta mark set mark or 0x4000',
      'ip saddr 10.244.1.5 counter packets 0 bytes 0 xt target MARK',
    ],
    [
      'ip nat KUBE-SEP-ONE',
      2,
      'meta l4proto tcp  counter packets 0 bytes 0 dnat to 10.244.1.5:8080',
      'meta l4proto tcp xt match tcp counter packets 0 bytes 0 xt target DNAT',
    ],
    [
      'ip nat KUBE-SEP-TWO',
      1,
      'meta l4proto tcp  counter packets 0 bytes 0 dnat to 10.244.2.7:8080',
      'meta l4proto tcp xt match tcp counter packets 0 bytes 0 xt target DNAT',
    ],
    [
      'ip filter INPUT',
      2,
      'ct state related,established counter packets 0 bytes 0 accept',
      'xt match conntrack counter packets 0 bytes 0 accept',
    ],
    [
      'ip filter INPUT',
      3,
      'ct state invalid counter packets 0 bytes 0 drop',
      'xt match conntrack counter packets 0 bytes 0 drop',
    ],
    [
      'ip filter INPUT',
      4,
      'meta l4proto tcp tcp dport { 22, 80, 443 } counter packets 0 bytes 0 accept',
      'meta l4proto tcp xt match multiport counter packets 0 bytes 0 accept',
    ],
    [
      'ip filter INPUT',
      6,
      'meta l4proto icmp icmp type echo-request limit rate 5/second counter packets 0 bytes 0 accept',
      'meta l4proto icmp xt match icmp limit rate 5/second counter packets 0 bytes 0 accept',
    ],
    [
      'ip filter INPUT',
      7,
      'meta l4proto udp fib daddr type local udp dport 53 counter packets 0 bytes 0 accept',
      'meta l4proto udp xt match addrtype udp dport 53 counter packets 0 bytes 0 accept',
    ],
    [
      'ip filter INPUT',
      8,
      'ip saddr 10.0.0.0/8  counter packets 0 bytes 0 accept',
      'ip saddr 10.0.0.0/8 xt match comment counter packets 0 bytes 0 accept',
    ],
    [
      'ip filter INPUT',
      10,
      'tcp dport 23 counter packets 0 bytes 0 reject with tcp reset',
      'tcp dport 23 counter packets 0 bytes 0 xt target REJECT',
    ],
    [
      'ip filter LOGDROP',
      1,
      'limit rate 1/minute counter packets 0 bytes 0 log prefix "dropped: "',
      'limit rate 1/minute counter packets 0 bytes 0 xt target LOG',
    ],
    [
      'ip filter LOGDROP',
      2,
      'counter packets 0 bytes 0 reject with icmp type host-prohibited',
      'counter packets 0 bytes 0 xt target REJECT',
    ],
  ].map(([chain, index, listing, rendered]) => ({
    chain: chain as string,
    index: index as number,
    listing: listing as string,
    rendered: rendered as string,
    why: XT,
  })),
};

// Chain headers whose priority differs from the listing, with the reason.
const KNOWN_HEADER_DIFFERENCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // Hand-written source: nft 1.0.6 lists this chain with `policy accept;` as rendered.
  'iptables-upstream/nft-native-0010.nft.json': {
    'ip filter FORWARD': 'type filter hook forward priority filter;',
  },
  // SOURCES.md: the JSON was made with `priority dstnat` on the output hook replaced by -100, which
  // nft 1.0.6 requires; the listing is Docker's own, from a newer nft that accepts dstnat there.
  'docker/moby-nftables-bridge-portmap-nat.nft.json': {
    'ip docker-bridges nat-OUTPUT': 'type nat hook output priority dstnat; policy accept;',
  },
};

const pairs = [...filesUnder(corpusDir, nftJsonName), ...filesUnder(fixturesDir, nftJsonName)].flatMap(
  (json) => {
    const listing = listingFor(json);
    const name = json.startsWith(corpusDir) ? path.relative(corpusDir, json) : path.basename(json);
    return listing ? [{ name, json, listing }] : [];
  },
);

function familyOf(chainKey: string): NftFamily {
  return chainKey.split(' ')[0] as NftFamily;
}

describe('renderNftRule against real `nft list ruleset` output', () => {
  if (!existsSync(corpusDir)) {
    it('has the shared corpus folder (required in CI)', () => {
      if (process.env.CI) expect(existsSync(corpusDir), `${corpusDir} is missing`).toBe(true);
    });
  }

  it('pairs every JSON dump with its listing', () => {
    const names = pairs.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'native-features.nft.json',
        'syntax-tour.nft.json',
        'iptables-nft-compat.nft.json',
      ]),
    );
    if (existsSync(corpusDir)) {
      expect(names).toEqual(
        expect.arrayContaining([
          'kubernetes/kubeproxy-nft-overall.nft.json',
          'kubernetes/kubeproxy-nft-2clusterip.nft.json',
          'docker/moby-nftables-bridge-portmap-nat.nft.json',
          'iptables-upstream/nft-native-0010.nft.json',
          'nftables-upstream/maps-nat_addr_port.nft.json',
        ]),
      );
    }
  });

  describe.each(pairs.map((p) => [p.name, p]))('%s', (name, { json, listing }) => {
    const ruleset = parseNftJson(readFileSync(json, 'utf8'), { file: json });
    const listed = listedChains(readFileSync(listing, 'utf8'));
    const parsedChains = ruleset.tables.flatMap((t) =>
      t.chains.map((c) => ({ key: `${t.family} ${t.name} ${c.name}`, t, c })),
    );

    it('lists the same chains', () => {
      expect(parsedChains.map((p) => p.key).sort()).toEqual([...listed.keys()].sort());
    });

    it('renders every rule as nft lists it, apart from the known differences', () => {
      const diffs: Difference[] = [];
      let same = 0;
      for (const { key, t, c } of parsedChains) {
        const want = listed.get(key)?.rules ?? [];
        for (let i = 0; i < Math.max(want.length, c.rules.length); i++) {
          const rule = c.rules[i];
          const rendered = rule && nftRuleText(t, rule);
          if (rendered === want[i]) same++;
          else diffs.push({ chain: key, index: i + 1, listing: want[i], rendered });
        }
      }
      const known = (KNOWN_DIFFERENCES[name] ?? []).map(({ chain, index, listing: l, rendered }) => ({
        chain,
        index,
        listing: l,
        rendered,
      }));
      expect(diffs).toEqual(known);
      expect(same).toBeGreaterThan(0);
    });

    it('prints base chain headers (priorities above all) as the listing does', () => {
      // nft 1.0.6 JSON leaves out a netdev chain's device, so headers are compared without it.
      const noDevice = (h: string) => h.replace(/ device "[^"]*"/, '');
      const rendered: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const { key, c } of parsedChains) {
        if (!c.base) continue;
        const { type, hook, priority, policy } = c.base;
        rendered[key] =
          `type ${type} hook ${hook} priority ${nftPriorityText(familyOf(key), hook, priority)}; policy ${policy};`;
        expected[key] = noDevice(listed.get(key)?.header ?? '');
      }
      for (const [key, header] of Object.entries(KNOWN_HEADER_DIFFERENCES[name] ?? {})) {
        expect(expected[key]).toBe(header);
        expected[key] = rendered[key]!;
      }
      expect(rendered).toEqual(expected);
    });
  });
});

describe('nft priorities', () => {
  const prioDump = path.join(corpusDir, 'nftables-upstream/chains-0021prio_0.nft');

  it.runIf(existsSync(prioDump))(
    'reads and prints back every base chain priority of a 1566-line listing',
    () => {
      let family: NftFamily = 'ip';
      let checked = 0;
      for (const line of readFileSync(prioDump, 'utf8').split('\n')) {
        const table = /^table (\S+) /.exec(line);
        if (table) family = table[1] as NftFamily;
        const head = /type \S+ hook (\S+) (?:device \S+ )?priority ([^;]+);/.exec(line);
        if (!head) continue;
        const [, hook, text] = head;
        const value = nftPriorityResolve(family, hook!, text!);
        expect(value, `${family} ${hook} ${text}`).not.toBeNull();
        expect(nftPriorityText(family, hook!, value!)).toBe(text);
        checked++;
      }
      expect(checked).toBeGreaterThan(300);
    },
  );

  it('follows nft 1.0.6: names only where the family and hook allow them', () => {
    expect(nftPriorityText('ip', 'prerouting', -110)).toBe('dstnat - 10');
    expect(nftPriorityText('ip', 'output', -110)).toBe('-110');
    expect(nftPriorityText('ip', 'input', 100)).toBe('100');
    expect(nftPriorityText('ip', 'postrouting', 105)).toBe('srcnat + 5');
    expect(nftPriorityText('netdev', 'ingress', -150)).toBe('-150');
    expect(nftPriorityText('bridge', 'output', 100)).toBe('out');
    expect(nftPriorityText('ip', 'input', 11)).toBe('11');
    expect(nftPriorityResolve('ip', 'output', 'dstnat')).toBeNull();
    expect(nftPriorityResolve('bridge', 'prerouting', 'dstnat + 1')).toBe(-299);
    expect(nftPriorityResolve('inet', 'input', 'nonsense')).toBeNull();
  });
});

describe('renderNftStmt and renderNftExpr', () => {
  it('formats constants by the type of what they are compared with', () => {
    const mark: NftStmt = {
      kind: 'match',
      op: '==',
      left: { kind: 'ct', key: 'mark', dir: null, family: null },
      right: { kind: 'immediate', value: 16 },
    };
    expect(renderNftStmt(mark)).toBe('ct mark 0x00000010');
    expect(renderNftExpr({ kind: 'immediate', value: 'eth0' }, {}, 'str')).toBe('"eth0"');
    expect(renderNftExpr({ kind: 'immediate', value: '5' }, {}, 'ifname')).toBe('5');
    expect(renderNftExpr({ kind: 'immediate', value: 300 }, {}, 'time')).toBe('5m');
    expect(renderNftExpr({ kind: 'immediate', value: 7 }, {}, 'hex2')).toBe('0x07');
  });

  it('omits the family’s default reject code, as nft does', () => {
    const reject = (type: string): NftStmt => ({
      kind: 'reject',
      type,
      expr: { kind: 'immediate', value: 'port-unreachable' },
    });
    expect(renderNftStmt(reject('icmp'), { family: 'ip' })).toBe('reject');
    expect(renderNftStmt(reject('icmp'), { family: 'inet' })).toBe('reject with icmp port-unreachable');
    expect(renderNftStmt(reject('icmpv6'), { family: 'ip6' })).toBe('reject');
    expect(renderNftStmt(reject('icmpx'), { family: 'inet' })).toBe('reject');
    expect(renderNftStmt({ kind: 'reject', type: null, expr: null })).toBe('reject');
  });

  it('types map data from the named map', () => {
    const stmt: NftStmt = {
      kind: 'mangle',
      key: { kind: 'meta', key: 'mark' },
      value: { kind: 'map', key: { kind: 'meta', key: 'iifname' }, data: { kind: 'setref', name: 'm' } },
    };
    expect(renderNftStmt(stmt, { sets: new Map([['m', { type: ['ifname'], map: 'mark' }]]) })).toBe(
      'meta mark set iifname map @m',
    );
    expect(renderNftRule({ stmts: [stmt], comment: 'why' })).toBe(
      'meta mark set iifname map @m comment "why"',
    );
  });

  it('prints times the way nft does', () => {
    expect(nftTimeText(0)).toBe('');
    expect(nftTimeText(10_800_000)).toBe('3h');
    expect(nftTimeText(90_061_001)).toBe('1d1h1m1s1ms');
  });
});

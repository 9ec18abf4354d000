import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir, filesUnder, nftJsonName } from '../testing/corpus.test-support';
import { NftRuleset, type NftStmt } from '../model/nftables';
import { ParseError } from '../parse/parse-error';
import { parseNftJson } from './parse-json';
import { nftRuleText } from './render-text';

// The shared conformance corpus is read in place, never copied (DEVELOPERS.md).
const fixturesDir = path.resolve(__dirname, '__fixtures__');

const corpusFiles = filesUnder(corpusDir, nftJsonName);
const capturedFiles = filesUnder(fixturesDir, nftJsonName);

interface RawElement {
  [key: string]: { family?: string; table?: string; name?: string; chain?: string } | undefined;
}

/** Counts straight from the JSON, without the parser: rules per chain, and elements per kind. */
function rawCounts(text: string) {
  const items = (JSON.parse(text) as { nftables: RawElement[] }).nftables;
  const rulesPerChain = new Map<string, number>();
  const kinds = new Map<string, number>();
  for (const item of items) {
    const [key, body] = Object.entries(item)[0]!;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
    if (key === 'chain') {
      const k = `${body!.family} ${body!.table} ${body!.name}`;
      if (!rulesPerChain.has(k)) rulesPerChain.set(k, 0);
    }
    if (key === 'rule') {
      const k = `${body!.family} ${body!.table} ${body!.chain}`;
      rulesPerChain.set(k, (rulesPerChain.get(k) ?? 0) + 1);
    }
  }
  return { rulesPerChain, kinds };
}

function parseFile(file: string) {
  return parseNftJson(readFileSync(file, 'utf8'), { file: path.basename(file) });
}

/** The ParseError message a call throws (fails the test on any other outcome). */
function errorOf(text: string, file = 'x.json'): string {
  try {
    parseNftJson(text, { file });
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as ParseError).message;
  }
  throw new Error('expected a ParseError');
}

describe('parseNftJson on every real dump', () => {
  if (corpusFiles.length === 0) {
    // Checkouts without ../shared still run the unit suite; CI must have the corpus.
    it('has the shared corpus folder (required in CI)', () => {
      if (process.env.CI) expect(existsSync(corpusDir), `${corpusDir} is missing`).toBe(true);
    });
  } else {
    it('finds the nft JSON dumps of the shared corpus', () => {
      expect(corpusFiles.map((f) => path.relative(corpusDir, f))).toEqual(
        expect.arrayContaining([
          'kubernetes/kubeproxy-nft-overall.nft.json',
          'kubernetes/kubeproxy-nft-2clusterip.nft.json',
          'docker/moby-nftables-bridge-portmap-nat.nft.json',
          'iptables-upstream/nft-native-0010.nft.json',
        ]),
      );
    });
  }

  const dumps = [
    ...corpusFiles.map((f) => [`shared: ${path.relative(corpusDir, f)}`, f]),
    ...capturedFiles.map((f) => [`captured: ${path.basename(f)}`, f]),
  ];
  describe.each(dumps)('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const ruleset = parseNftJson(text, { file });
    const raw = rawCounts(text);

    it('matches the model schema', () => {
      const check = NftRuleset.safeParse(ruleset);
      expect(check.success ? [] : check.error.issues.slice(0, 3)).toEqual([]);
    });

    it('keeps every chain with as many rules as the dump holds', () => {
      const parsed = new Map<string, number>();
      for (const t of ruleset.tables)
        for (const c of t.chains) parsed.set(`${t.family} ${t.name} ${c.name}`, c.rules.length);
      expect(parsed).toEqual(raw.rulesPerChain);
    });

    it('keeps every table, set, map, flowtable and named object', () => {
      const count = (k: string) => raw.kinds.get(k) ?? 0;
      const tables = ruleset.tables;
      expect(tables.length).toBe(count('table'));
      expect(tables.flatMap((t) => t.sets).filter((s) => s.map === null && !s.meter).length).toBe(
        count('set'),
      );
      expect(tables.flatMap((t) => t.sets).filter((s) => s.map !== null).length).toBe(count('map'));
      expect(tables.flatMap((t) => t.flowtables).length).toBe(count('flowtable'));
      const objectKinds = [...raw.kinds.keys()].filter(
        (k) =>
          !['metainfo', 'table', 'chain', 'rule', 'set', 'map', 'meter', 'flowtable', 'element'].includes(k),
      );
      expect(tables.flatMap((t) => t.objects).length).toBe(objectKinds.reduce((n, k) => n + count(k), 0));
    });

    it('numbers rules 1..n in each chain and renders each one', () => {
      for (const t of ruleset.tables) {
        for (const c of t.chains) {
          expect(c.rules.map((r) => r.index)).toEqual(c.rules.map((_, i) => i + 1));
          for (const r of c.rules) expect(nftRuleText(t, r)).not.toBe('');
        }
      }
    });
  });

  it.runIf(corpusFiles.length > 0)('normalizes the kube-proxy nftables ruleset', () => {
    const rs = parseFile(path.join(corpusDir, 'kubernetes/kubeproxy-nft-overall.nft.json'));
    expect(rs.metainfo).toEqual({ version: '1.0.6', releaseName: 'Lester Gooch #5', jsonSchemaVersion: 1 });
    const [table] = rs.tables;
    expect(table).toMatchObject({ family: 'ip', name: 'kube-proxy', handle: 2, managedBy: null, flags: [] });

    const base = Object.fromEntries(
      table!.chains.filter((c) => c.base).map((c) => [c.name, c.base!.priority]),
    );
    expect(base).toEqual({
      'filter-prerouting-pre-dnat': -110,
      'filter-output-pre-dnat': -110,
      'filter-forward': 0,
      'filter-input': 0,
      'filter-output': 0,
      'nat-output': -100,
      'nat-postrouting': 100,
      'nat-prerouting': -100,
    });

    const fw = table!.sets.find((s) => s.name === 'no-endpoint-services')!;
    expect(fw).toMatchObject({
      type: ['ipv4_addr', 'inet_proto', 'inet_service'],
      map: 'verdict',
      flags: [],
    });
    expect(fw.elements[0]).toEqual({
      kind: 'mapping',
      key: {
        kind: 'elem',
        value: {
          kind: 'concat',
          items: [
            { kind: 'immediate', value: '1.2.3.4' },
            { kind: 'immediate', value: 'tcp' },
            { kind: 'immediate', value: 80 },
          ],
        },
        timeout: null,
        expires: null,
        comment: 'ns2/svc2:p80',
        counter: null,
      },
      value: { kind: 'verdict', verdict: 'drop' },
    });
    const affinity = table!.sets.find((s) => s.name.startsWith('affinity-'))!;
    expect(affinity).toMatchObject({
      map: null,
      size: 65535,
      flags: ['timeout'],
      timeout: 10800,
      elements: [],
    });

    const svc4 = table!.chains.find((c) => c.name === 'service-LAUZTJTB-ns4/svc4/tcp/p80')!;
    expect(svc4.rules[1]!.stmts).toEqual<NftStmt[]>([
      {
        kind: 'vmap',
        key: { kind: 'numgen', mode: 'random', mod: 2, offset: 0 },
        data: {
          kind: 'set',
          elements: [
            {
              kind: 'mapping',
              key: { kind: 'immediate', value: 0 },
              value: {
                kind: 'verdict',
                verdict: 'goto',
                target: 'endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80',
              },
            },
            {
              kind: 'mapping',
              key: { kind: 'immediate', value: 1 },
              value: {
                kind: 'verdict',
                verdict: 'goto',
                target: 'endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80',
              },
            },
          ],
        },
      },
    ]);

    const masq = table!.chains.find((c) => c.name === 'masquerading')!;
    expect(masq.rules.map((r) => r.stmts)).toEqual<NftStmt[][]>([
      [
        {
          kind: 'match',
          op: '==',
          left: {
            kind: 'binop',
            op: '&',
            left: { kind: 'meta', key: 'mark' },
            right: { kind: 'immediate', value: 16384 },
          },
          right: { kind: 'immediate', value: 0 },
        },
        { kind: 'verdict', verdict: 'return' },
      ],
      [
        {
          kind: 'mangle',
          key: { kind: 'meta', key: 'mark' },
          value: {
            kind: 'binop',
            op: '^',
            left: { kind: 'meta', key: 'mark' },
            right: { kind: 'immediate', value: 16384 },
          },
        },
      ],
      [{ kind: 'nat', type: 'masquerade', flags: ['fully-random'] }],
    ]);

    const endpoint = table!.chains.find(
      (c) => c.name === 'endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80',
    )!;
    expect(endpoint.rules[1]!.stmts).toEqual<NftStmt[]>([
      {
        kind: 'set',
        op: 'update',
        elem: { kind: 'payload', protocol: 'ip', field: 'saddr' },
        set: 'affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80',
        stmts: [],
      },
    ]);
    expect(endpoint.rules[2]!.stmts[1]).toEqual({
      kind: 'nat',
      type: 'dnat',
      addr: { kind: 'immediate', value: '10.180.0.3' },
      port: { kind: 'immediate', value: 80 },
    });
  });
});

describe('parseNftJson on captured nft and iptables-nft output', () => {
  it('has the fixtures scripts/capture-nft-fixtures.sh writes', () => {
    expect(capturedFiles.map((f) => path.basename(f))).toEqual([
      'iptables-nft-compat.nft.json',
      'native-features.nft.json',
      'sim-semantics.nft.json',
      'syntax-tour.nft.json',
    ]);
  });

  it('holds, chain by chain, as many rules as iptables-save printed for the same payload', () => {
    const rs = parseFile(path.join(fixturesDir, 'iptables-nft-compat.nft.json'));
    const save = readFileSync(path.join(fixturesDir, 'iptables-nft-compat.iptables-save'), 'utf8');
    const fromSave = new Map<string, number>();
    let table = '';
    for (const line of save.split('\n')) {
      if (line.startsWith('*')) table = line.slice(1);
      const decl = /^:(\S+) /.exec(line);
      if (decl) fromSave.set(`${table} ${decl[1]}`, 0);
      const rule = /^-A (\S+) /.exec(line);
      if (rule) fromSave.set(`${table} ${rule[1]}`, fromSave.get(`${table} ${rule[1]}`)! + 1);
    }
    const fromNft = new Map<string, number>();
    for (const t of rs.tables) for (const c of t.chains) fromNft.set(`${t.name} ${c.name}`, c.rules.length);
    expect(fromNft).toEqual(fromSave);
    // managedBy is decided by the snapshot builder, which sees both dumps.
    expect(rs.tables.map((t) => t.managedBy)).toEqual(rs.tables.map(() => null));
  });

  it('keeps iptables-nft compat expressions as xt statements', () => {
    const rs = parseFile(path.join(fixturesDir, 'iptables-nft-compat.nft.json'));
    const filter = rs.tables.find((t) => t.name === 'filter')!;
    const input = filter.chains.find((c) => c.name === 'INPUT')!;
    expect(input.base).toEqual({ type: 'filter', hook: 'input', priority: 0, policy: 'drop', devices: [] });
    expect(input.rules[1]!.stmts).toEqual<NftStmt[]>([
      { kind: 'xt', type: 'match', name: 'conntrack' },
      { kind: 'counter', packets: 0, bytes: 0 },
      { kind: 'verdict', verdict: 'accept' },
    ]);
    const xt = rs.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.flatMap((r) => r.stmts)));
    expect([...new Set(xt.filter((s) => s.kind === 'xt').map((s) => `${s.type} ${s.name}`))].sort()).toEqual([
      'match addrtype',
      'match comment',
      'match conntrack',
      'match icmp',
      'match multiport',
      'match physdev',
      'match recent',
      'match statistic',
      'match tcp',
      'target CT',
      'target DNAT',
      'target LOG',
      'target MARK',
      'target MASQUERADE',
      'target REJECT',
      'target SNAT',
      'target TCPMSS',
    ]);
  });

  it('resolves base chain priorities and keeps named objects', () => {
    const rs = parseFile(path.join(fixturesDir, 'native-features.nft.json'));
    const prio = rs.tables.flatMap((t) =>
      t.chains.filter((c) => c.base).map((c) => `${t.family} ${c.name} ${c.base!.hook} ${c.base!.priority}`),
    );
    expect(prio).toEqual([
      'inet input input 0',
      'inet forward forward 0',
      'inet nat_prerouting prerouting -100',
      'inet nat_postrouting postrouting 105',
      'inet mangle_prerouting prerouting -150',
      'inet raw_prerouting prerouting -305',
      'ip output_nat output -100',
      'ip filter_out output 50',
      'ip6 in input -150',
      'netdev ingress ingress 10',
      'bridge forward_br forward -200',
      'bridge pre_br prerouting -300',
      'arp in input 0',
    ]);
    // nft 1.0.6 leaves the device of a netdev chain out of its JSON (the text listing has it).
    const ingress = rs.tables.find((t) => t.family === 'netdev')!.chains[0]!;
    expect(ingress.base!.devices).toEqual([]);
    const objects = rs.tables.flatMap((t) => t.objects.map((o) => `${t.name} ${o.type} ${o.name}`));
    expect(objects).toEqual([
      'plcap counter http_hits',
      'plcap quota big_quota',
      'plcap limit ten_per_sec',
      'plcap4 ct helper ftp-std',
    ]);
    expect(rs.tables[0]!.objects[1]!.raw).toMatchObject({ bytes: 104857600, used: 0, inv: true });
  });
});

// A minimal dump around the given rule statements, for targeted cases.
function dump(extra: unknown[], family = 'inet'): string {
  return JSON.stringify({
    nftables: [
      { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
      { table: { family, name: 't', handle: 1 } },
      { chain: { family, table: 't', name: 'c', handle: 1 } },
      ...extra,
    ],
  });
}

function rule(expr: unknown[], extra: Record<string, unknown> = {}, family = 'inet') {
  return { rule: { family, table: 't', chain: 'c', handle: 9, expr, ...extra } };
}

describe('parseNftJson normalization', () => {
  it('keeps unknown statements and expressions raw, and nft text fallbacks as text', () => {
    const rs = parseNftJson(
      dump([
        rule([
          { match: { op: '==', left: { 'future expr': { x: 1 } }, right: 5 } },
          { 'future stmt': { y: [1, 2] } },
          'add @m { ip saddr : 0x00000001 }',
          { accept: null },
        ]),
      ]),
      { file: 'x.json' },
    );
    const r = rs.tables[0]!.chains[0]!.rules[0]!;
    expect(r.stmts).toEqual<NftStmt[]>([
      {
        kind: 'match',
        op: '==',
        left: { kind: 'unknown', raw: { 'future expr': { x: 1 } } },
        right: { kind: 'immediate', value: 5 },
      },
      { kind: 'unknown', raw: { 'future stmt': { y: [1, 2] } } },
      { kind: 'unknown', raw: 'add @m { ip saddr : 0x00000001 }' },
      { kind: 'verdict', verdict: 'accept' },
    ]);
    expect(nftRuleText(rs.tables[0]!, r)).toBe(
      '{"future expr":{"x":1}} 5 {"future stmt":{"y":[1,2]}} add @m { ip saddr : 0x00000001 } accept',
    );
  });

  it('resolves symbolic priorities given as strings, as nft reads them', () => {
    const rs = parseNftJson(
      JSON.stringify({
        nftables: [
          { table: { family: 'ip', name: 't', handle: 1 } },
          {
            chain: {
              family: 'ip',
              table: 't',
              name: 'a',
              handle: 1,
              type: 'nat',
              hook: 'prerouting',
              prio: 'dstnat',
              policy: 'accept',
            },
          },
          {
            chain: {
              family: 'ip',
              table: 't',
              name: 'b',
              handle: 2,
              type: 'filter',
              hook: 'input',
              prio: 'filter - 10',
              policy: 'drop',
            },
          },
          {
            chain: {
              family: 'ip',
              table: 't',
              name: 'c',
              handle: 3,
              type: 'filter',
              hook: 'output',
              prio: '-7',
            },
          },
          { table: { family: 'bridge', name: 'b', handle: 2 } },
          {
            chain: {
              family: 'bridge',
              table: 'b',
              name: 'o',
              handle: 1,
              type: 'filter',
              hook: 'output',
              prio: 'out + 1',
            },
          },
        ],
      }),
      { file: 'p.json' },
    );
    expect(rs.tables.flatMap((t) => t.chains.map((c) => [c.name, c.base!.priority, c.base!.policy]))).toEqual(
      [
        ['a', -100, 'accept'],
        ['b', -10, 'drop'],
        ['c', -7, 'accept'],
        ['o', 101, 'accept'],
      ],
    );
  });

  it('reads flowtables and merges element lists into their set', () => {
    const rs = parseNftJson(
      dump([
        {
          flowtable: {
            family: 'inet',
            name: 'ft',
            table: 't',
            handle: 4,
            hook: 'ingress',
            prio: 0,
            dev: ['eth0', 'eth1'],
          },
        },
        { set: { family: 'inet', name: 's', table: 't', type: 'ipv4_addr', handle: 5, flags: 'interval' } },
        {
          element: {
            family: 'inet',
            table: 't',
            name: 's',
            elem: [{ prefix: { addr: '10.0.0.0', len: 8 } }],
          },
        },
        rule([{ flow: { op: 'add', flowtable: '@ft' } }]),
      ]),
      { file: 'f.json' },
    );
    const t = rs.tables[0]!;
    expect(t.flowtables).toEqual([
      { name: 'ft', handle: 4, hook: 'ingress', priority: 0, devices: ['eth0', 'eth1'] },
    ]);
    expect(t.sets[0]).toMatchObject({
      flags: ['interval'],
      elements: [{ kind: 'prefix', addr: { kind: 'immediate', value: '10.0.0.0' }, len: 8 }],
    });
    expect(nftRuleText(t, t.chains[0]!.rules[0]!)).toBe('flow add @ft');
  });

  it('places a rule that comes before its chain', () => {
    const text = JSON.stringify({
      nftables: [
        { table: { family: 'ip', name: 't', handle: 1 } },
        { rule: { family: 'ip', table: 't', chain: 'late', handle: 3, expr: [{ drop: null }] } },
        { chain: { family: 'ip', table: 't', name: 'late', handle: 2 } },
      ],
    });
    const [table] = parseNftJson(text, { file: 'o.json' }).tables;
    expect(table!.chains[0]!.rules.map((r) => nftRuleText(table!, r))).toEqual(['drop']);
  });

  it('keeps counters past 2^53 as decimal strings', () => {
    const rs = parseNftJson(dump([rule([{ counter: { packets: 1, bytes: 18446744073709551615 } }])]), {
      file: 'c.json',
    });
    expect(rs.tables[0]!.chains[0]!.rules[0]!.stmts[0]).toEqual({
      kind: 'counter',
      packets: 1,
      bytes: '18446744073709551616',
    });
  });
});

describe('parseNftJson errors', () => {
  const table = '{"table": {"family": "ip", "name": "filter", "handle": 1}}';

  it('names line and column of JSON syntax errors', () => {
    expect(errorOf('')).toBe('x.json:1:1: empty file: expected the JSON object `nft -j list ruleset` prints');
    expect(errorOf('{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5"')).toBe(
      "x.json:1:82: unexpected end of file: expected ',' or '}'",
    );
    expect(errorOf('{"nftables": [{"table": {"family": "ip", "name": "fil')).toBe(
      `x.json:1:54: unexpected end of file: expected '"' to close the string opened at 1:50`,
    );
    expect(errorOf('{\n  "nftables": [\n    {"chain": {"family": "ip" "table": "f"}}\n  ]\n}\n')).toBe(
      `x.json:3:31: unexpected '"table"': expected ',' or '}'`,
    );
    expect(errorOf('{"nftables": []} x')).toBe(
      "x.json:1:18: unexpected 'x' after the JSON value: expected end of file",
    );
    expect(errorOf('{"nftables": ["\\q"]}')).toBe(
      "x.json:1:16: bad escape '\\q': expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u",
    );
  });

  it('reports binary garbage and megabyte lines in one short line', () => {
    expect(errorOf('\u0000\u0001\u00fe\u00ffGARBAGE')).toBe(
      'x.json:1:1: binary data: expected the JSON object `nft -j list ruleset` prints',
    );
    expect(errorOf('x'.repeat(1 << 20))).toBe(
      "x.json:1:1: unexpected 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…': expected a JSON value",
    );
    const long = `{"nftables": [${'{"metainfo": {}}, '.repeat(60000)}oops]}`;
    expect(errorOf(long)).toBe("x.json:1:1080015: unexpected 'oops': expected a JSON value");
  });

  it('rejects documents that are not an nft ruleset', () => {
    expect(errorOf('[1, 2]')).toBe('x.json:1:1: expected an object {"nftables": [...]}, found an array');
    expect(errorOf('  {"nft": []}')).toBe(
      'x.json:1:3: expected an object {"nftables": [...]} as `nft -j list ruleset` prints, found no "nftables" key',
    );
    expect(errorOf('{"nftables": {"table": {}}}')).toBe(
      'x.json:1:14: nftables: expected an array of ruleset elements, found an object',
    );
    expect(errorOf('{"nftables": [42]}')).toBe(
      'x.json:1:15: nftables[0]: expected a ruleset element object such as {"table": {…}}, found 42',
    );
    expect(errorOf('{"nftables": [{"add": {"table": {"family": "ip", "name": "f"}}}]}')).toBe(
      "x.json:1:15: nftables[0]: expected a ruleset element (table, chain, rule, set, map, flowtable or a named object), found 'add'",
    );
    expect(errorOf(`{"nftables": [${table.slice(0, -1)}, "chain": {}}]}`)).toBe(
      "x.json:1:15: nftables[0]: expected an object with exactly one key (table, chain, rule, set, map, …), found 'table', 'chain'",
    );
  });

  it('names the element that has the wrong shape', () => {
    expect(errorOf('{"nftables": [{"table": {"family": "ipx", "name": "filter", "handle": 1}}]}')).toBe(
      "x.json:1:36: nftables[0].table.family: expected a family (ip, ip6, inet, arp, bridge, netdev), found 'ipx'",
    );
    expect(
      errorOf(
        `{"nftables": [${table}, {"chain": {"family": "ip6", "table": "filter", "name": "INPUT", "handle": 1}}]}`,
      ),
    ).toBe(
      'x.json:1:112: nftables[1].chain.table: expected a table declared before this element, found ip6 filter',
    );
    expect(
      errorOf(
        `{"nftables": [${table}, {"rule": {"family": "ip", "table": "filter", "chain": "INPUT", "handle": 2, "expr": [{"accept": null}]}}]}`,
      ),
    ).toBe(
      "x.json:1:129: nftables[1].rule.chain: expected a chain declared in table ip filter, found 'INPUT'",
    );
    expect(
      errorOf(
        `{"nftables": [${table}, {"chain": {"family": "ip", "table": "filter", "name": "c", "handle": 1, "type": "nat", "hook": "output", "prio": "srcnat", "policy": "accept"}}]}`,
      ),
    ).toBe(
      "x.json:1:188: nftables[1].chain.prio: expected a priority number or a name valid for ip output (raw, mangle, filter, security), found 'srcnat'",
    );
    expect(
      errorOf(
        `{"nftables": [${table}, {"chain": {"family": "ip", "table": "filter", "name": "c", "handle": "one"}}]}`,
      ),
    ).toBe("x.json:1:144: nftables[1].chain.handle: expected an integer, found 'one'");
    expect(errorOf(dump([rule([], { expr: { accept: null } })]))).toBe(
      'x.json:1:283: nftables[3].rule.expr: expected an array of statements, found an object',
    );
  });

  it('bounds expression nesting instead of exhausting the stack', () => {
    const deep = `${'{"|": ['.repeat(300)}1${', 2]}'.repeat(300)}`;
    const text = dump([
      rule([
        { accept: null },
        JSON.parse(`{"mangle": {"key": {"meta": {"key": "mark"}}, "value": ${deep}}}`),
      ]),
    ]);
    expect(errorOf(text)).toBe(
      'x.json:1:300: nftables[3].rule.expr[1]: expected expressions nested at most 256 deep',
    );
  });

  it('throws nothing but ParseError on truncated or mangled real dumps', () => {
    const text = readFileSync(path.join(fixturesDir, 'native-features.nft.json'), 'utf8');
    for (let cut = 0; cut < text.length; cut += 61) {
      expect(() => parseNftJson(text.slice(0, cut), { file: 'cut.json' })).toThrow(ParseError);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 1 }), fc.string({ maxLength: 3 }), (at, junk) => {
        try {
          parseNftJson(text.slice(0, at) + junk + text.slice(at + 1), { file: 'm.json' });
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('throws nothing but ParseError on arbitrary JSON shaped like a ruleset', () => {
    const element = fc.dictionary(
      fc.constantFrom('table', 'chain', 'rule', 'set', 'map', 'counter', 'metainfo', 'flowtable', 'element'),
      fc.oneof(
        fc.jsonValue(),
        fc.record({
          family: fc.constantFrom('ip', 'inet', 'bridge', 'x'),
          table: fc.constantFrom('t', 'u'),
          name: fc.constantFrom('c', 't', 's'),
          chain: fc.constantFrom('c', 'd'),
          handle: fc.oneof(fc.integer(), fc.string()),
          expr: fc.array(fc.jsonValue()),
          elem: fc.jsonValue(),
          prio: fc.oneof(fc.integer(), fc.string()),
          hook: fc.constantFrom('input', 'prerouting'),
          type: fc.jsonValue(),
        }),
      ),
      { maxKeys: 2 },
    );
    fc.assert(
      fc.property(fc.array(element, { maxLength: 8 }), (items) => {
        try {
          parseNftJson(JSON.stringify({ nftables: items }), { file: 'r.json' });
        } catch (e) {
          if (!(e instanceof ParseError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});

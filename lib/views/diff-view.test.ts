import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotDiff } from '../analyze/diff';
import { snapshotFlows } from '../analyze/flows';
import { Snapshot } from '../model/snapshot';
import { buildSnapshot } from '../snapshot/build';
import { corpusDir } from '../testing/corpus.test-support';
import { diffHref, diffRefParse, diffRefText } from './diff-ref';
import { diffServiceList, diffServicePage, serviceShares } from './diff-services';
import {
  DiffChainPage,
  DiffRulePage,
  DiffSummary,
  diffChainPage,
  diffChainsPageSize,
  diffPrepare,
  diffRulePage,
  diffSetPage,
  diffSummary,
  type DiffSide,
} from './diff-view';
import { rulesetIndex } from './ruleset-index';
import { snapshotVersions } from './snapshot-versions';

// The example snapshots packetlens' own collector captured from the lab (public/examples).
const example = (node: string): Snapshot =>
  Snapshot.parse(
    JSON.parse(readFileSync(path.resolve(__dirname, `../../public/examples/${node}.snapshot.json`), 'utf8')),
  );

const side = (s: Snapshot, snapshot: number | null): DiffSide => ({
  subject: { host: s.host.name, pod: null, snapshot },
  ref: diffRefText({ host: s.host.name, pod: null, snapshot }),
  collectedAt: s.host.collectedAt,
  latest: false,
  example: false,
});

function prepared(a: Snapshot, b: Snapshot) {
  return diffPrepare(snapshotDiff(a, b), rulesetIndex(a), rulesetIndex(b));
}

/** node-1 without rule #4 of filter CNI-FORWARD (line 29 of its iptables-save). */
function withoutCniForwardRule4(s: Snapshot): Snapshot {
  const copy = structuredClone(s);
  const chain = copy.netfilter.iptables[0]!.tables.find((t) => t.name === 'filter')!.chains.find(
    (c) => c.name === 'CNI-FORWARD',
  )!;
  chain.rules = chain.rules.filter((r) => r.index !== 4);
  return copy;
}

describe('diff refs', () => {
  it('reads host, pod and snapshot, a pod name with a slash included', () => {
    expect(diffRefParse('node-1')).toEqual({ host: 'node-1', pod: null, snapshot: null });
    expect(diffRefParse('node-1@12')).toEqual({ host: 'node-1', pod: null, snapshot: 12 });
    expect(diffRefParse('node-1/default/web-0@3')).toEqual({
      host: 'node-1',
      pod: 'default/web-0',
      snapshot: 3,
    });
    expect(diffRefParse('example:node-2')).toEqual({ host: 'example:node-2', pod: null, snapshot: null });
    expect(diffRefParse('node-1/')).toEqual({ error: "'node-1/': the pod's name is missing after '/'" });
    expect(diffRefParse('@4')).toHaveProperty('error');
    expect(diffRefText({ host: 'node-1', pod: 'default/web-0', snapshot: 3 })).toBe('node-1/default/web-0@3');
    expect(diffHref({ host: 'n', pod: null, snapshot: 1 }, { host: 'n', pod: null, snapshot: 2 })).toBe(
      '/diff?a=n%401&b=n%402',
    );
  });
});

describe('snapshot versions', () => {
  it('one version per stretch of equal content, content that comes back counting again', () => {
    const p = (t: string, id: number) => ({ collectedAt: t, snapshotId: id, rulesTotal: id * 10 });
    expect(snapshotVersions([p('t1', 1), p('t2', 1), p('t3', 2), p('t4', 1)])).toEqual([
      { snapshotId: 1, from: 't1', to: 't2', collections: 2, rules: 10 },
      { snapshotId: 2, from: 't3', to: 't3', collections: 1, rules: 20 },
      { snapshotId: 1, from: 't4', to: 't4', collections: 1, rules: 10 },
    ]);
  });
});

describe('diff payloads', () => {
  const node1 = example('node-1');

  it('a snapshot against itself is identical, with no table, set or route listed', () => {
    const p = prepared(node1, structuredClone(node1));
    const s = DiffSummary.parse(diffSummary(p, side(node1, 1), side(node1, 2)));
    expect(s.identical).toBe(true);
    expect(s.tables).toEqual([]);
    expect(s.routes).toEqual([]);
    expect(DiffChainPage.parse(diffChainPage(p, { page: 1, table: '', q: '' })).total).toBe(0);
  });

  it('one rule gone from CNI-FORWARD: that rule, with its text and A line 29, and nothing else', () => {
    const p = prepared(node1, withoutCniForwardRule4(node1));
    const s = diffSummary(p, side(node1, 1), side(node1, 2));
    expect(s.identical).toBe(false);
    expect(s.tables).toEqual([
      {
        id: 'ipt:ip/filter',
        label: 'iptables filter',
        rulesAdded: 0,
        rulesRemoved: 1,
        rulesMoved: 0,
        chainsAdded: 0,
        chainsRemoved: 0,
        chainsRenamed: 0,
        chainsChanged: 1,
      },
    ]);
    const chains = diffChainPage(p, { page: 1, table: '', q: '' });
    expect(chains.chains).toEqual([
      expect.objectContaining({
        chain: 'CNI-FORWARD',
        status: 'changed',
        added: 0,
        removed: 1,
        keyA: 'ipt:ip/filter',
        keyB: 'ipt:ip/filter',
      }),
    ]);
    const rules = DiffRulePage.parse(
      diffRulePage(p, { n: chains.chains[0]!.n, chain: 'CNI-FORWARD', page: 1 }),
    );
    expect(rules.rows.map((r) => [r.sign, r.rule.index, r.rule.line, r.rule.text])).toEqual([
      ['-', 4, 29, '-A CNI-FORWARD -d 10.244.1.3/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'],
    ]);
    // The other way round the same rule is added.
    const back = prepared(withoutCniForwardRule4(node1), node1);
    const n = diffChainPage(back, { page: 1, table: '', q: '' }).chains[0]!.n;
    expect(diffRulePage(back, { n, chain: 'CNI-FORWARD', page: 1 })!.rows.map((r) => r.sign)).toEqual(['+']);
    // A chain asked for under a position that is another chain's is refused, not mixed up.
    expect(diffRulePage(p, { n: 0, chain: 'KUBE-SERVICES', page: 1 })).toBeNull();
  });

  it('two hosts with nothing in common: node-1 (kube-proxy iptables mode) against node-3 (nftables mode)', () => {
    const node3 = example('node-3');
    const p = prepared(node1, node3);
    const s = diffSummary(p, side(node1, 1), side(node3, 5));
    // node-3's native table `ip kube-proxy` is all new: every chain and rule of it added.
    const kp = node3.netfilter.nftables!.tables.find((t) => t.name === 'kube-proxy')!;
    expect(s.tables.find((t) => t.id === 'nft:ip/kube-proxy')).toMatchObject({
      chainsAdded: kp.chains.length,
      rulesAdded: kp.chains.reduce((n, c) => n + c.rules.length, 0),
      rulesRemoved: 0,
    });
    // node-1's KUBE-SVC chains are gone on node-3 (it has no KUBE-SVC chain at all).
    const svc = diffChainPage(p, { page: 1, table: 'ipt:ip/nat', q: 'KUBE-SVC-' });
    const node1Svc = node1.netfilter.iptables[0]!.tables.find((t) => t.name === 'nat')!.chains.filter((c) =>
      c.name.startsWith('KUBE-SVC-'),
    );
    expect(svc.total).toBe(node1Svc.length);
    expect(
      svc.chains.every((c) => c.status === 'removed' && c.keyB === null && c.keyA === 'ipt:ip/nat'),
    ).toBe(true);
    // Changed chains come before added and removed ones within a table.
    const order = diffChainPage(p, { page: 1, table: 'ipt:ip/nat', q: '' }).chains.map((c) => c.status);
    const rank = { changed: 0, added: 1, removed: 2 };
    expect(order).toContain('changed');
    expect(order).toEqual([...order].sort((x, y) => rank[x] - rank[y]));
  });

  it('pages the chains of a large diff and never lists more than a page', () => {
    const node2 = example('node-2');
    const p = prepared(example('node-3'), node2);
    const total = p.chains.length;
    const pages = Math.ceil(total / diffChainsPageSize);
    const all = [];
    for (let page = 1; page <= pages; page++) {
      const pg = diffChainPage(p, { page, table: '', q: '' });
      expect(pg.chains.length).toBeLessThanOrEqual(diffChainsPageSize);
      all.push(...pg.chains);
    }
    expect(all.map((c) => c.n).sort((x, y) => x - y)).toEqual([...Array(total).keys()]);
  });
});

describe('diff services', () => {
  // kube-proxy's own fixture: ns4/svc4:p80 has endpoints 10.180.0.4:80 (line 84, probability 0.5) and
  // 10.180.0.5:80 (line 85, KUBE-SEP-C6EBXVWJJZMIWKLZ). B is the same node after 10.180.0.5 went away:
  // its KUBE-SEP chain gone, and the cascade's one rule left without its statistic match.
  const text = readFileSync(path.join(corpusDir, 'kubernetes/kubeproxy-iptables-overall.iptables'), 'utf8');
  const after = text
    .split('\n')
    .filter((l) => !l.includes('KUBE-SEP-C6EBXVWJJZMIWKLZ'))
    .map((l) =>
      l.includes('"ns4/svc4:p80 -> 10.180.0.4:80"')
        ? l.replace(' -m statistic --mode random --probability 0.5000000000', '')
        : l,
    )
    .join('\n');
  const a = buildSnapshot([{ origin: 'a', text }], { host: 'a' });
  const b = buildSnapshot([{ origin: 'b', text: after }], { host: 'b' });

  it('an endpoint removed: the service lists it, and the one left goes from 1/2 to all of it', () => {
    const d = snapshotDiff(a, b);
    const list = diffServiceList(d, serviceShares(snapshotFlows(a)), serviceShares(snapshotFlows(b)));
    expect(list.sharesChanged).toBe(0);
    expect(list.services).toEqual([
      {
        mode: 'iptables',
        family: 'ip',
        service: 'ns4/svc4:p80',
        status: 'changed',
        endpoints: [
          {
            endpoint: '10.180.0.5:80',
            change: 'removed',
            a: expect.objectContaining({ fraction: '1/2' }),
            b: null,
          },
          {
            endpoint: '10.180.0.4:80',
            change: 'kept',
            a: expect.objectContaining({ fraction: '1/2' }),
            b: { value: 1, fraction: '1' },
          },
        ],
      },
    ]);
    expect(diffServicePage(list, { page: 1, q: 'svc9' }).total).toBe(0);
    expect(diffServicePage(list, { page: 1, q: '10.180.0.5' }).total).toBe(1);
  });

  it('the same chains: KUBE-SVC changed (two rules out, one in), the endpoint chain removed', () => {
    const p = diffPrepare(snapshotDiff(a, b), rulesetIndex(a), rulesetIndex(b));
    const chains = diffChainPage(p, { page: 1, table: '', q: '' }).chains;
    expect(chains.map((c) => [c.status, c.chain, c.added, c.removed])).toEqual([
      ['changed', 'KUBE-SVC-4SW47YFZTEDKD3PK', 1, 2],
      ['removed', 'KUBE-SEP-C6EBXVWJJZMIWKLZ', 0, 2],
    ]);
    const svc = diffRulePage(p, { n: chains[0]!.n, chain: chains[0]!.chain, page: 1 })!;
    // Line 29 (the SEP chain's declaration) and 71-72 are gone before line 84: it is line 81 in B.
    expect(svc.rows.map((r) => [r.sign, r.rule.line])).toEqual([
      ['-', 84],
      ['-', 85],
      ['+', 81],
    ]);
  });
});

describe('renamed chains and sets', () => {
  it('a kube-proxy chain that only changed its hash is one renamed chain, not one added and one removed', () => {
    // KUBE-SEP-C6EBXVWJJZMIWKLZ (lines 71-72, jumped to from line 85) under another hash in B.
    const text = readFileSync(path.join(corpusDir, 'kubernetes/kubeproxy-iptables-overall.iptables'), 'utf8');
    const renamed = text.replaceAll('KUBE-SEP-C6EBXVWJJZMIWKLZ', 'KUBE-SEP-AAAAAAAAAAAAAAAA');
    const a = buildSnapshot([{ origin: 'a', text }], { host: 'a' });
    const b = buildSnapshot([{ origin: 'b', text: renamed }], { host: 'b' });
    const p = prepared(a, b);
    expect(p.tables).toEqual([
      expect.objectContaining({
        id: 'ipt:ip/nat',
        chainsRenamed: 1,
        chainsAdded: 0,
        chainsRemoved: 0,
        rulesAdded: 0,
      }),
    ]);
    expect(diffChainPage(p, { page: 1, table: '', q: 'C6EBXVWJJZMIWKLZ' }).chains).toEqual([
      expect.objectContaining({
        chain: 'KUBE-SEP-AAAAAAAAAAAAAAAA',
        renamedFrom: 'KUBE-SEP-C6EBXVWJJZMIWKLZ',
        status: 'changed',
        added: 0,
        removed: 0,
      }),
    ]);
  });

  it('an nft map element gone: the map with its element, as nft prints it', () => {
    const file = path.join(corpusDir, 'kubernetes/kubeproxy-nft-overall.nft.json');
    const text = readFileSync(file, 'utf8');
    const json = JSON.parse(text) as { nftables: { map?: { name: string; elem?: unknown[] } }[] };
    for (const item of json.nftables)
      if (item.map?.name === 'service-ips')
        item.map.elem = item.map.elem!.filter((e) => !JSON.stringify(e).includes('172.30.0.41'));
    const a = buildSnapshot([{ origin: file, text }], { host: 'a' });
    const b = buildSnapshot([{ origin: file, text: JSON.stringify(json) }], { host: 'b' });
    const p = prepared(a, b);
    const s = diffSummary(p, side(a, 1), side(b, 2));
    expect(s.sets).toEqual([
      {
        n: 0,
        family: 'ip',
        table: 'kube-proxy',
        set: 'service-ips',
        status: 'changed',
        added: 0,
        removed: 1,
      },
    ]);
    expect(diffSetPage(p, { n: 0, set: 'service-ips', page: 1 })!.rows).toEqual([
      { sign: '-', text: '172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80', before: null },
    ]);
    expect(diffSetPage(p, { n: 0, set: 'service-ports', page: 1 })).toBeNull();
  });
});

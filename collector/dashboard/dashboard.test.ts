import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotStats } from '../../lib/snapshot/stats';
import { fleetBuild } from './fleet';
import { importDump, importsList } from './imports';
import { SubjectError, subjectResolve } from './subjects';
import { graphOf, overviewOf, rulesOf, searchOf } from './views';
import { dashboardTestbed, repo } from './testing/dashboard.test-support';

const { open } = dashboardTestbed('dashboard');

const dump = (rel: string) => readFileSync(path.join(repo, 'lib', rel), 'utf8');

const subject = (host: string, pod: string | null = null) => ({ host, pod, snapshot: null });

describe('the dashboard over a store', () => {
  it('imports dumps apart from collected hosts and serves their views', async () => {
    const d = await open('import');
    try {
      const result = importDump(d, {
        name: 'node-7',
        files: [
          { name: 'node-7.iptables', text: dump('iptables/__fixtures__/cni-bridge-portmap.iptables-save') },
          { name: 'node-7.ip6tables', text: dump('iptables/__fixtures__/cni-bridge-portmap.ip6tables-save') },
          { name: 'node-7.nft.json', text: dump('iptables/__fixtures__/cni-bridge-portmap.nft.json') },
        ],
      });
      // 16 IPv4 and 15 IPv6 rules, each once although nft -j lists them too (iptables-nft).
      expect(result).toEqual({ ok: true, host: 'import:node-7', rules: 31 });
      expect(importsList(d).map((i) => [i.name, i.rules])).toEqual([['node-7', 31]]);
      // Not a collected host: the fleet lists none.
      expect(fleetBuild(d).hosts).toEqual([]);

      const overview = overviewOf(d, subject('import:node-7'));
      expect(overview.meta.kind).toBe('import');
      expect(overview.tables.map((t) => `${t.key} ${t.rules}`)).toEqual([
        'ipt:ip/filter 4',
        'ipt:ip/nat 12',
        'ipt:ip6/filter 4',
        'ipt:ip6/nat 11',
      ]);
      const page = rulesOf(d, subject('import:node-7'), {
        table: 'ipt:ip/nat',
        chain: 'PREROUTING',
        page: 1,
        pageSize: 100,
      });
      expect(page.rules.map((r) => r.text)).toEqual([
        '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
      ]);
      expect(graphOf(d, subject('import:node-7'), { table: 'ipt:ip/nat', expand: [] }).nodes).toHaveLength(9);
      expect(
        searchOf(d, subject('import:node-7'), { q: '8080', table: 'ipt:ip/nat', page: 1, pageSize: 100 })
          .total,
      ).toBe(4);
    } finally {
      d.close();
    }
  });

  it('answers a dump that does not parse with its file, line and column', async () => {
    const d = await open('broken');
    try {
      const result = importDump(d, {
        name: 'bad',
        files: [{ name: 'bad.rules', text: '*filter\n-A INPUT -p tcp --dport 70000 -j ACCEPT\nCOMMIT\n' }],
      });
      expect(result).toMatchObject({ ok: false, error: { file: 'bad.rules', line: 2 } });
      expect(result.ok ? '' : result.error.message).toMatch(/^bad\.rules:2:\d+: --dport: expected a port/);
      expect(importsList(d)).toEqual([]);
    } finally {
      d.close();
    }
  });

  it('shows the examples the project captured, marked as such, with their pods', async () => {
    const d = await open('examples');
    try {
      const { examples } = fleetBuild(d);
      expect(examples.map((e) => e.name)).toEqual(['example:node-1', 'example:node-2', 'example:node-3']);
      const node1 = JSON.parse(readFileSync(path.join(repo, 'public/examples/node-1.snapshot.json'), 'utf8'));
      expect(examples[0]).toMatchObject({
        state: { state: 'example' },
        rules: snapshotStats(node1).rules.total,
      });
      expect(examples[0]!.pods.map((p) => p.name)).toEqual(
        node1.pods.map((p: { host: { name: string } }) => p.host.name),
      );
      const pod = examples[0]!.pods[0]!.name;
      expect(subjectResolve(d, subject('example:node-1', pod)).view.snapshot.host.kind).toBe('pod');
    } finally {
      d.close();
    }
  });

  it('says which host, pod or table is missing', async () => {
    const d = await open('missing');
    try {
      expect(() => subjectResolve(d, subject('node-9'))).toThrow(
        new SubjectError(404, 'no host named node-9 in the store'),
      );
      expect(() => subjectResolve(d, subject('example:node-1', 'nope'))).toThrow(
        /^no pod nope on example:node-1 \(pods: /,
      );
      expect(() => graphOf(d, subject('example:node-1'), { table: 'ipt:ip/raw', expand: [] })).toThrow(
        'no table ipt:ip/raw on example:node-1 (tables: ipt:ip/filter, ipt:ip/nat)',
      );
    } finally {
      d.close();
    }
  });
});

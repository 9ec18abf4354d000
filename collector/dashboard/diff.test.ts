import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  diffChainsOf,
  diffOptionsOf,
  diffRulesOf,
  diffServicesOf,
  diffSummaryOf,
  previousVersionOf,
} from './diff';
import { HttpError } from './http';
import { importDump } from './imports';
import { SubjectError, subjectResolve } from './subjects';
import { dashboardTestbed, repo } from './testing/dashboard.test-support';

const { open } = dashboardTestbed('diff');

// A real CNI portmap dump; the second import of the same host lacks its OUTPUT rule (line 26).
const dump = readFileSync(
  path.join(repo, 'lib/iptables/__fixtures__/cni-bridge-portmap.iptables-save'),
  'utf8',
);
const outputRule = '[0:0] -A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\n';

describe('the Diff view over a store', () => {
  it('resolves both sides, diffs the pair once, and pages what changed', async () => {
    const d = await open('diff');
    try {
      expect(dump).toContain(outputRule);
      importDump(d, { name: 'node-7', files: [{ name: 'before', text: dump }] });
      importDump(d, { name: 'node-7', files: [{ name: 'after', text: dump.replace(outputRule, '') }] });
      const host = diffOptionsOf(d).hosts.find((h) => h.name === 'import:node-7')!;
      expect(host.versions).toHaveLength(2);
      const [latest, before] = host.versions.map((v) => v.snapshotId);
      expect(previousVersionOf(d, 'import:node-7', null)).toEqual({ previous: before, current: latest });
      expect(previousVersionOf(d, 'import:node-7', before!)).toBeNull();

      // `HOST` is its latest snapshot, named by its ID in the answer so that the link lasts.
      const params = { a: `import:node-7@${before}`, b: 'import:node-7' };
      const s = diffSummaryOf(d, params);
      expect(s.b).toMatchObject({ ref: `import:node-7@${latest}`, latest: true });
      expect(s.tables.map((t) => [t.id, t.rulesAdded, t.rulesRemoved, t.chainsChanged])).toEqual([
        ['ipt:ip/nat', 0, 1, 1],
      ]);
      const chains = diffChainsOf(d, params, { page: 1, table: '', q: '' });
      expect(chains.chains.map((c) => c.chain)).toEqual(['OUTPUT']);
      const rules = diffRulesOf(d, params, { n: chains.chains[0]!.n, chain: 'OUTPUT', page: 1 });
      expect(rules.rows.map((r) => [r.sign, r.rule.line, r.rule.text])).toEqual([
        ['-', 26, '-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT'],
      ]);

      // Two hosts: an import against an example, both resolved.
      expect(diffSummaryOf(d, { a: 'import:node-7', b: 'example:node-1' }).identical).toBe(false);
      // The services' shares come from the flows the NAT view analyses, kept per prepared view.
      const services = diffServicesOf(d, { a: 'import:node-7', b: 'example:node-1' }, { page: 1, q: '' });
      expect(services.total).toBeGreaterThan(0);
      const example = subjectResolve(d, { host: 'example:node-1', pod: null, snapshot: null }).view;
      expect(example.memo('flows', () => null)).not.toBeNull();
      expect(() => diffSummaryOf(d, { a: 'nope', b: 'import:node-7' })).toThrow(
        new SubjectError(404, 'a: no host named nope in the store'),
      );
      expect(() => diffSummaryOf(d, { a: 'import:node-7', b: 'example:node-1@3' })).toThrow(HttpError);
      expect(() => diffRulesOf(d, params, { n: chains.chains[0]!.n, chain: 'PREROUTING', page: 1 })).toThrow(
        'chain PREROUTING is not #0 of this diff: reload the page',
      );
    } finally {
      d.close();
    }
  });
});

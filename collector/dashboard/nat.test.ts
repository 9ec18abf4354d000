import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NatQuery } from '../../lib/views/nat-payload';
import { importDump } from './imports';
import { natHostChoices, natOf } from './nat';
import { subjectResolve } from './subjects';
import { dashboardTestbed, repo } from './testing/dashboard.test-support';

const { open } = dashboardTestbed('nat');

const subject = (host: string, pod: string | null = null) => ({ host, pod, snapshot: null });
const query = NatQuery.parse({});

describe('the NAT view over the dashboard', async () => {
  const d = await open('nat');
  afterAll(() => d.close());
  const text = readFileSync(
    path.join(repo, 'lib/iptables/__fixtures__/cni-bridge-portmap.iptables-save'),
    'utf8',
  );
  importDump(d, { name: 'node-7', files: [{ name: 'node-7.iptables', text }] });

  it('offers stored hosts and imports first, then the examples', () => {
    expect(natHostChoices(d)).toEqual([
      { host: 'import:node-7', kind: 'import' },
      { host: 'example:node-1', kind: 'example' },
      { host: 'example:node-2', kind: 'example' },
      { host: 'example:node-3', kind: 'example' },
    ]);
  });

  it('names endpoints from the pods of every example node and traces from a pod of the node', () => {
    const page = natOf(d, subject('example:node-2'), NatQuery.parse({ q: 'default/api:http' }));
    const eps = page.dnat[0]!.branches[0]!.endpoints;
    // lab.json: api-0 on node-1, api-1 on node-2, api-2 on node-3 (the examples name pods by netns).
    expect(eps.map((e) => [e.to, e.owner?.name, e.owner?.node])).toEqual([
      ['10.244.1.3:8080', 'pl-lab-pod-node-1-2', 'node-1'],
      ['10.244.2.3:8080', 'pl-lab-pod-node-2-2', 'node-2'],
      ['10.244.3.3:8080', 'pl-lab-pod-node-3-2', 'node-3'],
    ]);
    // From node-2's first pod (its own packets go through the node's PREROUTING, as a pod's do).
    expect(page.dnat[0]!.trace).toMatchObject({
      scope: 'examples',
      from: 'pl-lab-ctr-node-2-1',
      entry: 'pod',
    });
    expect(page.pods).toEqual(['pl-lab-ctr-node-2-1', 'pl-lab-pod-node-2-1', 'pl-lab-pod-node-2-2']);
  });

  it('analyses a snapshot once, and shows a pod as its own namespace', () => {
    natOf(d, subject('example:node-1'), query);
    const memo = subjectResolve(d, subject('example:node-1')).view.memo('nat', () => null);
    expect(memo).not.toBeNull();
    const pod = natOf(d, subject('example:node-1', 'pl-lab-pod-node-1-1'), query);
    expect([pod.matched, pod.egress]).toEqual([0, []]);
  });

  it('reads an import with its own host ports, traced from the store scope', () => {
    const page = natOf(d, subject('import:node-7'), query);
    expect(page.summary.dnatFlows).toBeGreaterThan(0);
    expect(page.dnat.every((f) => f.trace === null || f.trace.scope === 'store')).toBe(true);
  });
});

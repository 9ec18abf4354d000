import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelPathLines } from '../../lib/kernel-trace/kernel-path-text';
import type { LabDescription } from '../lab/lab-description';
import { labDescriptionRead } from '../lab/lab-description';
import { labPaths } from '../lab/lab-paths';
import { labExpectedNamespaces, labUp } from '../lab/lab-up';
import { labNamespaces } from '../lab/leftovers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Snapshot } from '../../lib/model/snapshot';
import { kernelView, pathDifferences, simulatedView } from '../../lib/simulate/kernel-compare';
import { traceText } from '../../lib/simulate/render-text';
import type { Simulator } from '../../lib/simulate/simulate';
import { simulatorBuild } from '../../lib/simulate/simulate';
import { collectRun } from '../collect/collect-run';
import { hostResolve, inventoryLoad } from '../inventory/inventory';
import { run } from '../netns/netns';
import { openStore } from '../store/sqlite-store';
import type { LabTracedProbe } from './lab-trace';
import { labServiceTrace, labTraceNamespaces } from './lab-trace';
import { traceTables } from './trace-table';

/*
 * Traces probes from lab pods to a ClusterIP across the lab's nodes. The lab is shared: it is
 * brought up only when its namespaces are missing, never taken down, and every namespace's ruleset
 * must be exactly as before when the test ends (the collector's lab tests count its rules).
 */

const paths = labPaths();
let lab: LabDescription;
const before = new Map<string, string>();

/** The ruleset without counters (`nft -s`), with handles: any change to it shows. */
async function ruleset(ns: string): Promise<string> {
  const r = await run('ip', ['netns', 'exec', ns, 'nft', '-s', '-a', 'list', 'ruleset']);
  if (r.code !== 0) throw new Error(`${ns}: nft list ruleset: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  expect(process.getuid?.(), 'the lab needs root').toBe(0);
  let described = labDescriptionRead(paths.description);
  const present = new Set(await labNamespaces());
  if (!described || !labExpectedNamespaces(described).every((ns) => present.has(ns))) {
    described = (await labUp(paths, () => {})).lab;
  }
  lab = described;
  for (const ns of labTraceNamespaces(lab)) before.set(ns, await ruleset(ns));
}, 300_000);

afterAll(async () => {
  for (const [ns, text] of before) {
    expect(await traceTables(ns), ns).toEqual([]);
    expect(await ruleset(ns), `${ns}: ruleset changed`).toBe(text);
  }
});

function nodeNamespace(name: string): string {
  return lab.nodes.find((n) => n.name === name)!.namespace;
}

/** Probes until one reaches an endpoint on another node than the sender's (each endpoint is 1/3 likely). */
async function traceAcrossNodes(fromPod: string): Promise<LabTracedProbe[]> {
  const fromNode = lab.pods.find((p) => p.name === fromPod)!.node;
  const seen: LabTracedProbe[] = [];
  for (let i = 0; i < 8; i++) {
    const t = await labServiceTrace(lab, { fromPod, service: 'default/api:http' });
    seen.push(t);
    if (t.endpoint && t.endpoint.node !== fromNode) break;
  }
  return seen;
}

function expectServicePath(t: LabTracedProbe, fromPod: string, endpointChain: RegExp): void {
  const story = [
    ...kernelPathLines(t.trace.forward),
    ...kernelPathLines(t.trace.reply),
    ...t.trace.notes,
  ].join('\n');
  const from = lab.pods.find((p) => p.name === fromPod)!;
  expect(t.outcome.outcome, story).toBe('connected');
  expect(t.trace.forward.disposition, story).toBe('delivered');
  expect(t.endpoint, story).not.toBeNull();
  expect(t.outcome.answer, story).toBe(t.endpoint!.pod);
  const hops = t.trace.forward.hops.map((h) => h.netns);
  expect(hops[0], story).toBe(from.namespace);
  // The DNAT happens on the sender's node, in kube-proxy's endpoint chain for the endpoint that answered.
  const senderNode = t.trace.forward.hops.find((h) => h.netns === nodeNamespace(from.node))!;
  const dnat = senderNode.visits.find((v) => v.hook === 'prerouting' && v.nat === 'dnat');
  expect(dnat?.decidedBy?.chain, story).toMatch(endpointChain);
  expect(dnat?.decidedBy?.ruleText, story).toContain(`dnat to ${t.endpoint!.ip}:${t.endpoint!.port}`);
  expect(
    senderNode.changes.find((c) => c.field === 'daddr'),
    story,
  ).toMatchObject({
    from: t.service.clusterIp,
    to: t.endpoint!.ip,
    hook: 'prerouting',
  });
  // The endpoint's node is on the path, and the packet ends in the endpoint pod.
  expect(hops, story).toContain(nodeNamespace(t.endpoint!.node));
  expect(hops.at(-1), story).toBe(t.endpoint!.namespace);
  expect(t.trace.reply.final?.netns, story).toBe(from.namespace);
}

/** The lab's nodes collected over SSH by the collector, as `packetlens collect` stores them. */
async function labSnapshots(): Promise<Snapshot[]> {
  const work = mkdtempSync(path.join(tmpdir(), 'packetlens-labsim-'));
  const store = openStore(path.join(work, 'lab.db'));
  try {
    const inventory = await inventoryLoad(path.join(paths.dir, 'packetlens.yaml'));
    const hosts = inventory.hosts.map((h) => hostResolve(inventory, h.name));
    const run = await collectRun(hosts, store, { ownKnownHosts: null, acceptNew: false, retries: 0 });
    expect(run.hosts.every((h) => h.status === 'ok')).toBe(true);
    return lab.nodes.map((n) => store.snapshotLatest(n.name)!.snapshot);
  } finally {
    store.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The simulator's name for a lab namespace: the node's, or the pod's under its node. */
function simNames(sim: Simulator): (netns: string) => string {
  return (netns) =>
    lab.nodes.find((n) => n.namespace === netns)?.name ??
    sim.namespaces.find((n) => n.snapshot.host.netns?.name === netns)?.name ??
    netns;
}

describe('the simulator on the lab, against the kernel', () => {
  it('pod to ClusterIP across nodes, in iptables and nftables mode: same path as traced, there and back', async () => {
    const sim = simulatorBuild(await labSnapshots());
    const simName = simNames(sim);
    for (const fromPod of ['default/web-0', 'default/web-2']) {
      const from = lab.pods.find((p) => p.name === fromPod)!;
      for (const t of await traceAcrossNodes(fromPod)) {
        const result = sim.trace({
          src: null,
          sport: t.probe.sport,
          dst: t.service.name,
          dport: null,
          proto: t.probe.proto,
          entry: { kind: 'pod', pod: from.namespace },
          state: 'new',
          mark: 0,
          reply: true,
        });
        const kernel = kernelView(t.trace.forward, simName);
        const story = [
          '--- kernel',
          ...kernelPathLines(t.trace.forward),
          ...kernelPathLines(t.trace.reply),
          '--- simulated',
          traceText(result),
        ].join('\n');
        // The path of the endpoint the kernel picked, with its share of the cascade or numgen map.
        const path = result.paths.find(
          (p) => p.final.host === kernel.final?.ns && p.final.dst === kernel.final?.daddr,
        );
        expect(path, story).toBeDefined();
        expect(path!.probability, story).toBeCloseTo(1 / 3, 6);
        expect(pathDifferences(simulatedView(path!), kernel), story).toEqual([]);
        expect(
          pathDifferences(simulatedView(path!.reply!), kernelView(t.trace.reply, simName)),
          story,
        ).toEqual([]);
      }
    }
  });
});

describe('a lab pod to a ClusterIP', () => {
  it('from node-1 (kube-proxy iptables mode): DNAT in a KUBE-SEP chain, then the endpoint node', async () => {
    const traces = await traceAcrossNodes('default/web-0');
    for (const t of traces) expectServicePath(t, 'default/web-0', /^KUBE-SEP-/);
    expect(traces.some((t) => t.endpoint!.node !== 'node-1')).toBe(true);
  });

  it('from node-3 (kube-proxy nftables mode): DNAT in an endpoint chain, then the endpoint node', async () => {
    const traces = await traceAcrossNodes('default/web-2');
    for (const t of traces) expectServicePath(t, 'default/web-2', /^endpoint-/);
    expect(traces.some((t) => t.endpoint!.node !== 'node-3')).toBe(true);
  });
});

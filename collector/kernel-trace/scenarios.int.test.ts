import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelPathLines } from '../../lib/kernel-trace/kernel-path-text';
import type { Snapshot } from '../../lib/model/snapshot';
import { kernelView, pathDifferences, simulatedView } from '../../lib/simulate/kernel-compare';
import { traceText } from '../../lib/simulate/render-text';
import { simulate } from '../../lib/simulate/simulate';
import { snapshotOfNetns } from './netns-snapshot';
import type { KernelHop } from '../../lib/kernel-trace/kernel-path-types';
import type { BuiltScenario, Scenario, ScenarioExpectation } from './scenario';
import {
  scenarioBuild,
  scenarioLeftoversSweep,
  scenarioNamespaceRemove,
  scenarioNamespaces,
} from './scenario';
import { scenariosAll } from './scenarios';
import { probeReplied } from './probe-send';
import type { TracedProbe } from './trace-probe';
import { traceProbe } from './trace-probe';
import { traceTables } from './trace-table';

/*
 * Proves the kernel oracle on every scenario: real packets in throwaway namespaces, traced with
 * `nft monitor trace`, reduced by kernelPath, checked against what each scenario says the kernel
 * does, and against what the probe itself saw (which listener answered); then the simulator, fed
 * the same namespaces as the collector saw them, must take the same path. Nothing leaves the
 * pl-ktrace-<pid>- namespaces; each scenario is torn down after its probes, also when one fails.
 */

const scenarios: Scenario[] = await scenariosAll();

const own = async () => (await scenarioNamespaces()).filter((n) => n.startsWith(`pl-ktrace-${process.pid}-`));

beforeAll(async () => {
  expect(process.getuid?.(), 'integration tests need root for network namespaces').toBe(0);
  await scenarioLeftoversSweep();
});

afterAll(async () => {
  // Every scenario removes its namespaces itself; anything still here is a teardown bug, removed anyway.
  const left = await own();
  for (const n of left) await scenarioNamespaceRemove(n);
  expect(left).toEqual([]);
});

function roles(x: string | readonly string[]): readonly string[] {
  return typeof x === 'string' ? [x] : x;
}

/** The kernel path checked against the scenario's expectation and against the probe's own outcome. */
function expectKernel(traced: TracedProbe, want: ScenarioExpectation, s: BuiltScenario): void {
  const { forward, reply } = traced.trace;
  const story = [...kernelPathLines(forward), ...kernelPathLines(reply), ...traced.trace.notes].join('\n');
  const hop = (role: string): KernelHop => {
    const h = forward.hops.find((x) => x.netns === s.ns(role));
    expect(h, `no hop in ${role}\n${story}`).toBeDefined();
    return h!;
  };

  expect(traced.outcome.outcome, story).toBe(want.outcome);
  expect(forward.disposition, story).toBe(want.disposition);
  expect(roles(want.endsIn), story).toContain(s.role(forward.final!.netns));
  expect(traced.trace.unreadLines, story).toEqual([]);
  // The sender got an answer exactly when the kernel delivered one to it.
  expect(probeReplied(traced.outcome), story).toBe(
    reply.disposition === 'delivered' && reply.final?.netns === traced.probe.from,
  );
  // Whoever answered is where the kernel delivered the probe.
  if (traced.outcome.answer !== null) expect(s.role(forward.final!.netns), story).toBe(traced.outcome.answer);

  if (want.rule) {
    const r = want.rule;
    const steps = hop(r.role)
      .visits.filter((v) => v.hook === r.hook && v.table === r.table)
      .flatMap((v) => v.steps);
    expect(
      steps.some(
        (st) =>
          st.kind === 'rule' &&
          st.chain === r.chain &&
          st.verdict === r.verdict &&
          st.ruleText?.includes(r.text),
      ),
      `${r.role} ${r.hook} ${r.table} ${r.chain}: no rule '${r.text}' -> ${r.verdict}\n${story}`,
    ).toBe(true);
  }
  if (want.policy) {
    const p = want.policy;
    expect(
      hop(p.role).visits.some(
        (v) =>
          v.hook === p.hook &&
          v.table === p.table &&
          v.chain === p.chain &&
          v.byPolicy &&
          v.verdict === p.verdict,
      ),
      story,
    ).toBe(true);
  }
  if (want.chains) {
    const entered = hop(want.chains.role).visits.flatMap((v) => v.chains);
    let at = 0;
    for (const c of entered) if (c === want.chains.chains[at]) at++;
    expect(
      at,
      `chains ${want.chains.chains.join(' > ')} in order among ${entered.join(' > ')}\n${story}`,
    ).toBe(want.chains.chains.length);
  }
  if (want.oif) expect(hop(want.oif.role).oif, story).toBe(want.oif.oif);
  if (want.untracedAt) expect(hop(want.untracedAt).visits, story).toEqual([]);
  if (want.final) expect(forward.final!.packet, story).toMatchObject(want.final);
  if (want.reply) {
    expect(reply.disposition, story).toBe(want.reply.disposition);
    if (want.reply.endsIn) expect(s.role(reply.final!.netns), story).toBe(want.reply.endsIn);
  }
}

/**
 * The simulator against the kernel: the simulated path of the same random choice (the endpoint the
 * kernel picked) must show the same namespaces, base chains, chains entered, verdicts, output
 * interfaces, disposition and NATed packet, there and back.
 */
function expectSimulated(traced: TracedProbe, snapshots: readonly Snapshot[]): void {
  const probe = traced.probe;
  const result = simulate(snapshots, {
    src: probe.src,
    sport: probe.sport,
    dst: probe.dst,
    dport: probe.dport,
    proto: probe.proto,
    entry: { kind: 'local', host: probe.from },
    state: 'new',
    mark: 0,
    reply: true,
  });
  const kernel = kernelView(traced.trace.forward);
  const path =
    result.paths.find((p) => p.final.host === kernel.final?.ns && p.final.dst === kernel.final?.daddr) ??
    result.paths[0];
  const story = [
    '--- kernel',
    ...kernelPathLines(traced.trace.forward),
    ...kernelPathLines(traced.trace.reply),
    '--- simulated',
    traceText(result),
  ].join('\n');
  expect(path, story).toBeDefined();
  expect(pathDifferences(simulatedView(path!), kernel), story).toEqual([]);
  if (traced.trace.reply.disposition !== 'not-seen' && path!.reply)
    expect(pathDifferences(simulatedView(path!.reply), kernelView(traced.trace.reply)), story).toEqual([]);
}

for (const scenario of scenarios) {
  describe(scenario.spec.name, () => {
    let built: BuiltScenario | undefined;
    // Each namespace collected as the collector does, before any tracing: the simulator's input.
    const snapshots: Snapshot[] = [];
    beforeAll(async () => {
      built = await scenarioBuild(scenario.spec);
      for (const ns of built.namespaces) snapshots.push(await snapshotOfNetns(ns, ns));
    });
    afterAll(async () => {
      await built?.teardown();
    });

    for (const p of scenario.probes) {
      it(p.label, async () => {
        const s = built!;
        const traced = await traceProbe(scenario.traced.map(s.ns), s.probe(p), {
          extraSelectors: p.selectors,
        });
        expectKernel(traced, p.expect, s);
        expectSimulated(traced, snapshots);
        // Tracing is off again: no trace table is left in any namespace.
        for (const ns of s.namespaces) expect(await traceTables(ns)).toEqual([]);
      });
    }
  });
}

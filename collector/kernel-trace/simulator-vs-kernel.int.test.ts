import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelPathLines } from '../../lib/kernel-trace/kernel-path-text';
import type { Snapshot } from '../../lib/model/snapshot';
import { kernelView, pathDifferences, simulatedView } from '../../lib/simulate/kernel-compare';
import { simulate } from '../../lib/simulate/simulate';
import type { TracePath } from '../../lib/simulate/result';
import { traceText } from '../../lib/simulate/render-text';
import { snapshotOfNetns } from './netns-snapshot';
import type { Scenario } from './scenario';
import {
  scenarioLeftoversSweep,
  scenarioNamespaceRemove,
  scenarioNamespaces,
  withScenario,
} from './scenario';
import { scenariosAll } from './scenarios';
import { traceProbe } from './trace-probe';

/*
 * The kernel is the oracle: every scenario's probes are sent for real and traced with
 * `nft monitor trace`, the same namespaces are collected with the collector, and the simulated path
 * of the same random choice (the endpoint the kernel picked) must show the same namespaces, base
 * chains, chains entered, verdicts, output interfaces, disposition and NATed packet. The reply is
 * compared the same way when the kernel saw one.
 */

const scenarios: Scenario[] = await scenariosAll();

const own = async () => (await scenarioNamespaces()).filter((n) => n.startsWith(`pl-ktrace-${process.pid}-`));

beforeAll(async () => {
  expect(process.getuid?.(), 'integration tests need root for network namespaces').toBe(0);
  await scenarioLeftoversSweep();
});

afterAll(async () => {
  const left = await own();
  for (const n of left) await scenarioNamespaceRemove(n);
  expect(left).toEqual([]);
});

/** The simulated path that made the kernel's choice: it ends where the kernel's did, as the same packet. */
function sameChoice(
  paths: readonly TracePath[],
  kernelFinal: { ns: string; daddr: string | null } | null,
): TracePath | undefined {
  if (paths.length === 1 || !kernelFinal) return paths[0];
  return paths.find((p) => p.final.host === kernelFinal.ns && p.final.dst === kernelFinal.daddr) ?? paths[0];
}

describe.each(scenarios.map((s) => [s.spec.name, s] as const))(
  '%s: simulated = traced',
  (_name, scenario) => {
    it.each(scenario.probes.map((p) => [p.label, p] as const))('%s', async (_label, sp) => {
      await withScenario(scenario.spec, async (s) => {
        const snapshots: Snapshot[] = [];
        for (const ns of s.namespaces) snapshots.push(await snapshotOfNetns(ns, ns));
        const probe = s.probe(sp);
        const traced = await traceProbe(scenario.traced.map(s.ns), probe, { extraSelectors: sp.selectors });
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
        const path = sameChoice(result.paths, kernel.final);
        const story = () =>
          [
            '--- kernel',
            ...kernelPathLines(traced.trace.forward),
            ...kernelPathLines(traced.trace.reply),
            '--- simulated',
            traceText(result),
          ].join('\n');
        expect(path, story()).toBeDefined();
        expect(pathDifferences(simulatedView(path!), kernel), story()).toEqual([]);
        const kernelReply = traced.trace.reply;
        if (kernelReply.disposition !== 'not-seen' && path!.reply)
          expect(pathDifferences(simulatedView(path!.reply), kernelView(kernelReply)), story()).toEqual([]);
      });
    });
  },
);

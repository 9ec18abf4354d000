import { mkdirSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../netns/netns';
import type { Scenario } from './scenario';
import { scenarioLeftoversSweep, withScenario } from './scenario';
import { forwardDrop, scenariosAll } from './scenarios';
import { probeSend } from './probe-send';
import { traceCapture } from './trace-capture';
import { traceProbe } from './trace-probe';
import { traceDisable, traceEnable } from './trace-table';

/**
 * Records real `nft -a monitor trace` output of the scenarios' probes as fixtures for the unit
 * tests of lib/kernel-trace (run by scripts/capture-ktrace-fixtures.sh, root only). Each fixture
 * keeps every monitor line exactly as nft printed it; namespaces are named by their scenario role,
 * which the lines never contain, so the files do not change with the pid of the run.
 */

const out = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'lib',
  'kernel-trace',
  '__fixtures__',
);

async function capture(name: string, scenario: Scenario, labels?: readonly string[]): Promise<void> {
  await withScenario(scenario.spec, async (built) => {
    for (const [i, p] of scenario.probes.entries()) {
      if (labels && !labels.includes(p.label)) continue;
      const traced = await traceProbe(scenario.traced.map(built.ns), built.probe(p), {
        extraSelectors: p.selectors,
      });
      const fixture = {
        captured: { kernel: release(), nft: (await run('nft', ['--version'])).stdout.trim() },
        scenario: scenario.spec.name,
        label: p.label,
        probe: p.probe,
        outcome: traced.outcome,
        namespaces: traced.capture.namespaces.map((n) => ({
          netns: built.role(n.netns),
          baseChains: n.baseChains,
          lines: n.lines,
        })),
      };
      fixtureWrite(`${name}.${i + 1}`, fixture);
    }
  });
}

function fixtureWrite(name: string, body: object): void {
  const file = path.join(out, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(body, null, 1)}\n`);
  console.error(file);
}

/**
 * A rule inserted after the monitors started: nft's rule cache does not have it, so the trace names
 * it `unknown rule handle N`. Real traces show this whenever rules change during a capture.
 */
async function captureUnknownRule(): Promise<void> {
  const scenario = forwardDrop('nft');
  await withScenario(scenario.spec, async (built) => {
    const probe = {
      from: built.ns('c'),
      proto: 'tcp' as const,
      src: null,
      sport: 61004,
      dst: '10.77.2.2',
      dport: 8083,
    };
    const namespaces = scenario.traced.map(built.ns);
    for (const ns of namespaces) await traceEnable(ns, [{ proto: 'tcp', port: probe.sport }]);
    try {
      const capture = await traceCapture(namespaces, async () => {
        const r = await run('ip', [
          'netns',
          'exec',
          built.ns('r'),
          'iptables-nft',
          '-I',
          'PL-FWD',
          '1',
          '-p',
          'tcp',
          '--dport',
          '8083',
          '-j',
          'DROP',
        ]);
        if (r.code !== 0) throw new Error(r.stderr);
        return probeSend(probe);
      });
      fixtureWrite('forward-drop-nft.rule-added-during-capture', {
        captured: { kernel: release(), nft: (await run('nft', ['--version'])).stdout.trim() },
        scenario: scenario.spec.name,
        label: 'a DROP rule inserted after the monitors started',
        probe: { ...probe, from: 'c' },
        outcome: capture.result,
        namespaces: capture.namespaces.map((n) => ({
          netns: built.role(n.netns),
          baseChains: n.baseChains,
          lines: n.lines,
        })),
      });
    } finally {
      for (const ns of namespaces) await traceDisable(ns);
    }
  });
}

/** Probes recorded per scenario (by label); the others are covered by the integration tests only. */
const recorded: Record<string, readonly string[] | 'all'> = {
  'forward-drop-nft': 'all',
  'forward-drop-legacy': ['tcp to the dropped port'],
  'input-reject': 'all',
  'dnat-masquerade': ['tcp to the published port'],
  'fwmark-routing': ['marked port goes by table 100'],
  'ipv6-dnat': 'all',
  'output-dnat': 'all',
  'kube-proxy-iptables': ['tcp to the ClusterIP, try 1'],
  'kube-proxy-nftables': ['tcp to the ClusterIP, try 1'],
  'kube-proxy-nodeport-iptables': 'all',
  'kube-proxy-nodeport-nftables': 'all',
  'docker-published-nft': 'all',
  'docker-published-legacy': ['outside client to the published port'],
};

/** All fixtures, or only those of the scenarios named on the command line (`unknown-rule` for that one). */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const wanted = (name: string) => only.length === 0 || only.includes(name);
  mkdirSync(out, { recursive: true });
  await scenarioLeftoversSweep();
  for (const scenario of await scenariosAll()) {
    const which = recorded[scenario.spec.name];
    if (which && wanted(scenario.spec.name)) {
      await capture(scenario.spec.name, scenario, which === 'all' ? undefined : which);
    }
  }
  if (wanted('unknown-rule')) await captureUnknownRule();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

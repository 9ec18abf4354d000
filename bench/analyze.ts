/**
 * npm run bench:analyze (root) — on the 10,000-service x 5-endpoint node of bench:parse:
 *
 * 1. the time of `packetlens flows`, `warnings` and `diff` (against the same node with 1% of its
 *    services rolled out to other pods), each beside the time packetlens takes to parse that dump.
 *    Target: each under the parse time.
 * 2. the restore calibration warnings use: `iptables-restore` of kube-proxy rule sets of growing
 *    size into a throwaway network namespace that already holds them (what a kube-proxy sync
 *    does), a power law fitted to the times, written to data/restore-calibration.json.
 *
 * Every figure comes from a process of its own (measure-worker.ts); the namespaces are deleted
 * also when a step fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultCalibrationFile } from '../collector/cli/calibration-file';
import { netnsRun, withNetns } from '../collector/netns/netns';
import { kubeProxyIptablesSave } from '../lib/generate/kube-proxy-iptables';
import type { RestoreCalibration, RestorePoint } from '../lib/analyze/restore-calibration';
import { restoreModelFit } from '../lib/analyze/restore-calibration';
import { benchDir, fmt, measure, median, outDir, table, verdict } from './bench-util';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 10_000);
const ENDPOINTS = 5;
/** 1% of the services rolled out between the two dumps of the diff. */
const ROLLOUT_EVERY = 100;
const RUNS = 5;
const CALIBRATION_SERVICES = [...new Set([500, 2000, 5000, SERVICES])].sort((a, b) => a - b);
const repoDir = path.resolve(benchDir, '..');

const log = (line: string) => console.error(`bench:analyze: ${line}`);

function writeIfChanged(file: string, text: string): void {
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
}

function rulesOf(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('-A ')) n++;
  return n;
}

/** Seconds of `iptables-restore` of `text` into a namespace that already holds it. */
async function restoreSeconds(text: string): Promise<number> {
  return withNetns('analyze', async (ns) => {
    const first = await netnsRun(ns, 'iptables-restore', [], text);
    if (first.code !== 0) throw new Error(`iptables-restore failed: ${first.stderr.trim()}`);
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      const again = await netnsRun(ns, 'iptables-restore', [], text);
      if (again.code !== 0) throw new Error(`iptables-restore failed: ${again.stderr.trim()}`);
      times.push((performance.now() - started) / 1000);
    }
    return median(times);
  });
}

function machine(): string {
  const iptables = execFileSync('iptables', ['--version'], { encoding: 'utf8' }).trim();
  return `${os.cpus().length} vCPU (${os.cpus()[0]?.model ?? 'unknown'}), kernel ${os.release()}, ${iptables}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} when measured`;
}

async function calibrate(): Promise<RestoreCalibration> {
  const points: RestorePoint[] = [];
  for (const services of CALIBRATION_SERVICES) {
    const text = kubeProxyIptablesSave({ services, endpointsPerService: ENDPOINTS });
    const seconds = await restoreSeconds(text);
    points.push({ rules: rulesOf(text), bytes: Buffer.byteLength(text), seconds });
    log(`restore of ${services} services (${rulesOf(text)} rules): ${seconds.toFixed(2)} s`);
  }
  return {
    origin: 'measured',
    measuredAt: new Date().toISOString(),
    machine: machine(),
    method: `iptables-restore of a kube-proxy rule set (${ENDPOINTS} endpoints a service) into a network namespace that already holds it, median of 2`,
    points,
    model: restoreModelFit(points),
  };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error(
      'bench:analyze needs root: the restore calibration runs iptables-restore in a network namespace',
    );
  mkdirSync(outDir, { recursive: true });
  const load = os.loadavg();
  const fileA = path.join(outDir, `kube-proxy-${SERVICES}x${ENDPOINTS}.iptables`);
  const fileB = path.join(outDir, `kube-proxy-${SERVICES}x${ENDPOINTS}-rollout.iptables`);
  const textA = kubeProxyIptablesSave({ services: SERVICES, endpointsPerService: ENDPOINTS });
  writeIfChanged(fileA, textA);
  writeIfChanged(
    fileB,
    kubeProxyIptablesSave({
      services: SERVICES,
      endpointsPerService: ENDPOINTS,
      rolloutEvery: ROLLOUT_EVERY,
    }),
  );
  console.log(
    `dump: ${fileA}: ${rulesOf(textA)} rules, ${(statSync(fileA).size / 1e6).toFixed(1)} MB (${SERVICES} services x ${ENDPOINTS} endpoints)`,
  );
  console.log(
    `diff against: ${fileB}: the same with every ${ROLLOUT_EVERY}th service's endpoints on other pods`,
  );
  console.log(
    `machine: ${os.cpus().length} vCPU, load ${load.map((l) => l.toFixed(1)).join(' ')} at the start`,
  );

  log('parse');
  const parse = measure('iptables-parse', fileA, RUNS);
  log('flows');
  const flows = measure('flows', fileA, RUNS);
  log('warnings');
  const warnings = measure('warnings', fileA, RUNS);
  log('diff');
  const diff = measure('diff', fileA, RUNS, fileB);

  const p = median(parse.ms);
  const pc = median(parse.cpuMs);
  const rows: string[][] = [
    ['', 'wall (median of 5)', 'CPU (median)', 'peak RSS', 'vs parse (wall / CPU)', 'target < parse'],
    ['packetlens parse of the dump', fmt(p), fmt(pc), `${parse.maxRssMb.toFixed(0)} MB`, '', ''],
  ];
  for (const [name, m] of [
    ['flows', flows],
    ['warnings', warnings],
    ['diff (against the rollout)', diff],
  ] as const) {
    const w = median(m.ms);
    const c = median(m.cpuMs);
    rows.push([
      name,
      fmt(w),
      fmt(c),
      `${m.maxRssMb.toFixed(0)} MB`,
      `${(w / p).toFixed(2)}x / ${(c / pc).toFixed(2)}x`,
      verdict(w < p),
    ]);
  }
  table(rows);
  console.log('(peak RSS of an analysis includes parsing its dump first, untimed)');

  log('restore calibration');
  const calibration = await calibrate();
  const file = path.resolve(repoDir, defaultCalibrationFile);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(calibration, null, 2)}\n`);
  console.log('');
  table([
    ['iptables-restore (namespace already holding the rules)', 'rules', 'MB', 'seconds'],
    ...calibration.points.map((pt) => [
      '',
      String(pt.rules),
      ((pt.bytes ?? 0) / 1e6).toFixed(1),
      pt.seconds.toFixed(2),
    ]),
  ]);
  console.log(
    `fit: seconds = ${calibration.model.coefficient.toPrecision(4)} x rules^${calibration.model.exponent.toFixed(3)}; written to ${file} (packetlens warnings reads it)`,
  );
  console.log(`machine: ${calibration.machine}`);
}

main().catch((e: unknown) => {
  console.error(`bench:analyze: ${(e as Error).message}`);
  process.exit(1);
});

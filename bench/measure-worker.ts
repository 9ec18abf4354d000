/**
 * One measurement in a process of its own, so that its peak RSS is its own: reads FILE (and FILE2
 * for modes that compare two dumps), runs MODE RUNS times, prints { ms: [...], cpuMs, maxRssMb } as
 * JSON. Parse modes time reading and parsing; analysis modes build their snapshots first, untimed,
 * and time the analysis alone.
 */
import { readFileSync } from 'node:fs';
import { snapshotDiff } from '../lib/analyze/diff';
import { snapshotFlows } from '../lib/analyze/flows';
import { defaultRestoreCalibration } from '../lib/analyze/restore-calibration';
import { snapshotWarnings } from '../lib/analyze/warnings';
import { parseIptablesSave } from '../lib/iptables/parse-save';
import type { Snapshot } from '../lib/model/snapshot';
import { parseNftJson } from '../lib/nftables/parse-json';
import { buildSnapshot } from '../lib/snapshot/build';

const [mode, file, runsText, file2] = process.argv.slice(2);
const runs = Number(runsText ?? 5);

const parsers: Record<string, (text: string) => unknown> = {
  'iptables-parse': (text) => parseIptablesSave(text, { file: file! }),
  // The floor: what any reader of the file must do at least (split lines, split on whitespace).
  floor: (text) => {
    let n = 0;
    for (const line of text.split('\n')) n += line.split(/[ \t]+/).length;
    return n;
  },
  'json-parse': (text) => JSON.parse(text),
  'nft-parse': (text) => parseNftJson(text, { file: file! }),
};

const snapshotOf = (f: string): Snapshot =>
  buildSnapshot([{ origin: f, text: readFileSync(f, 'utf8') }], { host: f });

const analyses: Record<string, () => (i: number) => unknown> = {
  flows: () => {
    const s = snapshotOf(file!);
    return () => snapshotFlows(s);
  },
  warnings: () => {
    const s = snapshotOf(file!);
    return () => snapshotWarnings(s, { calibration: defaultRestoreCalibration });
  },
  diff: () => {
    if (!file2) throw new Error('diff needs FILE2');
    const a = snapshotOf(file!);
    const b = snapshotOf(file2);
    return () => snapshotDiff(a, b);
  },
};

const parse = parsers[mode!];
const analysis = analyses[mode!];
if ((!parse && !analysis) || !file) {
  console.error(
    `usage: measure-worker.ts ${[...Object.keys(parsers), ...Object.keys(analyses)].join('|')} FILE [RUNS] [FILE2]`,
  );
  process.exit(2);
}
// Reading the file is part of every parse figure: a parser gets bytes, not a string in memory.
const run = parse ? () => parse(readFileSync(file, 'utf8')) : analysis!();
const ms: number[] = [];
const cpuMs: number[] = [];
let keep: unknown;
for (let i = 0; i < runs; i++) {
  // Free the previous result first, so each run starts from the same heap.
  keep = undefined;
  const started = performance.now();
  const cpu = process.cpuUsage();
  keep = run(i);
  ms.push(performance.now() - started);
  const used = process.cpuUsage(cpu);
  cpuMs.push((used.user + used.system) / 1000);
}
if (keep === undefined) process.exit(1);
console.log(JSON.stringify({ ms, cpuMs, maxRssMb: process.resourceUsage().maxRSS / 1024 }));

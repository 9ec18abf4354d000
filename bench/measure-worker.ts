/**
 * One measurement in a process of its own, so that its peak RSS is its own: reads FILE, runs MODE
 * RUNS times, prints { ms: [...], maxRssMb } as JSON.
 */
import { readFileSync } from 'node:fs';
import { parseIptablesSave } from '../lib/iptables/parse-save';
import { parseNftJson } from '../lib/nftables/parse-json';

const [mode, file, runsText] = process.argv.slice(2);
const runs = Number(runsText ?? 5);

const modes: Record<string, (text: string) => unknown> = {
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

const run = modes[mode!];
if (!run || !file) {
  console.error(`usage: measure-worker.ts ${Object.keys(modes).join('|')} FILE [RUNS]`);
  process.exit(2);
}
const ms: number[] = [];
const cpuMs: number[] = [];
let keep: unknown;
for (let i = 0; i < runs; i++) {
  // Free the previous result first, so each run starts from the same heap.
  keep = undefined;
  const started = performance.now();
  const cpu = process.cpuUsage();
  // Reading the file is part of every figure: a parser gets bytes, not a string in memory.
  keep = run(readFileSync(file, 'utf8'));
  ms.push(performance.now() - started);
  const used = process.cpuUsage(cpu);
  cpuMs.push((used.user + used.system) / 1000);
}
if (keep === undefined) process.exit(1);
console.log(JSON.stringify({ ms, cpuMs, maxRssMb: process.resourceUsage().maxRSS / 1024 }));

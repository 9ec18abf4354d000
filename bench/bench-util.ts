import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const benchDir = path.dirname(new URL(import.meta.url).pathname);
export const outDir = path.join(benchDir, 'out');

export interface Measurement {
  ms: number[];
  /** Process CPU time of each run (all threads, so the garbage collector's too). */
  cpuMs: number[];
  maxRssMb: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs one mode of measure-worker.ts in a fresh Node process (`file2`: the second dump of a diff). */
export function measure(mode: string, file: string, runs = 5, file2?: string): Measurement {
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(benchDir, 'measure-worker.ts'),
      mode,
      file,
      String(runs),
      ...(file2 ? [file2] : []),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (result.status !== 0) throw new Error(`measure ${mode} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Measurement;
}

export function fmt(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return ms >= 1 ? `${ms.toFixed(1)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}

export function verdict(ok: boolean): string {
  return ok ? 'met' : 'NOT MET';
}

export function bytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n.toFixed(0)} B`;
}

/** Prints rows as aligned columns. */
export function table(rows: string[][]): void {
  const w = rows
    .map((row) => row.map((c) => c.length))
    .reduce((a, b) => a.map((x, i) => Math.max(x, b[i] ?? 0)));
  for (const row of rows)
    console.log(
      row
        .map((c, i) => c.padEnd(w[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

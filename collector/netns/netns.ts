import { spawn } from 'node:child_process';

/**
 * Throwaway network namespaces for tests and captures. Each one is deleted when its callback ends,
 * also when it throws, so nothing a test creates outlives it.
 */

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command's output with stdout as the exact bytes it wrote (it may be binary, e.g. gzip). */
export interface ExecBytesResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function runBytes(
  cmd: string,
  args: readonly string[],
  input?: string | Buffer,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExecBytesResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => {}); // a command that exits early closes its stdin; its exit code tells why
    child.stdin.end(input ?? '');
  });
}

export async function run(cmd: string, args: readonly string[], input?: string): Promise<ExecResult> {
  const r = await runBytes(cmd, args, input);
  return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
}

/** Runs a command inside the namespace. */
export function netnsRun(
  ns: string,
  cmd: string,
  args: readonly string[],
  input?: string,
): Promise<ExecResult> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], input);
}

let counter = 0;

export async function withNetns<T>(prefix: string, fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = `pl-${prefix}-${process.pid}-${++counter}`;
  const added = await run('ip', ['netns', 'add', ns]);
  if (added.code !== 0) throw new Error(`ip netns add ${ns} failed: ${added.stderr.trim()}`);
  try {
    return await fn(ns);
  } finally {
    await run('ip', ['netns', 'del', ns]);
  }
}

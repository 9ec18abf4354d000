import { spawn } from 'node:child_process';

export interface ScriptResult {
  /** Exactly the bytes the script wrote: the framing is binary when gzipped. */
  stdout: Buffer;
  stderr: string;
  code: number;
}

/**
 * Runs a script on this machine the way a transport runs it on a host: `SHELL -s` with the script
 * on stdin. `prefix` runs the shell through another command, e.g. `ip netns exec NS`.
 */
export function runScript(
  script: string,
  opts: { shell?: string; prefix?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<ScriptResult> {
  const argv = [...(opts.prefix ?? []), opts.shell ?? 'sh', '-s'];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code: code ?? -1 }),
    );
    child.stdin.on('error', () => {}); // a shell that exits early closes stdin; its exit code tells why
    child.stdin.end(script);
  });
}

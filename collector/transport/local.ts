import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { StderrCollector } from './stderr-collector';
import type { ExecOptions, ExecResult, Execer } from './transport';
import { TransportError } from './transport';

/** Runs scripts on this machine with `bash -c`, for the `local: true` host. No SSH involved. */
export function localTransport(host = 'local'): Execer {
  const running = new Set<ChildProcess>();
  return {
    host,
    exec: (script, opts) => localExec(host, script, opts, running),
    close: async () => {
      for (const child of running) groupKill(child);
      running.clear();
    },
  };
}

function localExec(
  host: string,
  script: string,
  opts: ExecOptions,
  running: Set<ChildProcess>,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout kills what the script started too, not just bash.
    const child = spawn('bash', ['-c', script], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    const stdout: Buffer[] = [];
    const stderr = new StderrCollector();
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      running.delete(child);
      outcome();
    };
    const timer = setTimeout(() => {
      groupKill(child);
      // A process that left the group could hold the pipes open: do not wait for them.
      child.stdout?.destroy();
      child.stderr?.destroy();
      settle(() =>
        reject(
          new TransportError(
            'timeout',
            host,
            `command did not finish within ${opts.timeoutMs} ms; its processes were killed`,
          ),
        ),
      );
    }, opts.timeoutMs);
    child.stdout?.on('data', (d: Buffer) => stdout.push(d));
    child.stderr?.on('data', (d: Buffer) => stderr.add(d));
    child.on('error', (e) =>
      settle(() =>
        reject(new TransportError('unreachable', host, `cannot run bash: ${e.message}`, { cause: e })),
      ),
    );
    child.on('close', (code, signal) =>
      settle(() =>
        resolve({
          stdout: Buffer.concat(stdout),
          stderr: stderr.text(),
          code,
          signal: signal === null ? null : signal.replace(/^SIG/, ''),
        }),
      ),
    );
    // A script that exits without reading its input closes the pipe; its exit status tells why.
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.stdin);
  });
}

function groupKill(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

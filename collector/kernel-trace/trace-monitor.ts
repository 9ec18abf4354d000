import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';

/**
 * One `nft -a monitor trace` running in a namespace, its stdout gathered line by line. nft flushes
 * after every print, so lines arrive as the kernel reports them; a line split over two reads is
 * joined before it is kept.
 */
export interface TraceMonitor {
  netns: string;
  /** Complete lines so far. */
  readonly lines: string[];
  stderr(): string;
  /** True once the process has exited (it should not before stop()). */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is reaped. */
  stop(graceMs?: number): Promise<void>;
}

export function traceMonitorStart(netns: string): TraceMonitor {
  // ip netns exec execs nft, so the child's pid is nft itself.
  const child: ChildProcess = spawn('ip', ['netns', 'exec', netns, 'nft', '-a', 'monitor', 'trace'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let err = '';
  let exited = false;
  const closed = new Promise<void>((resolve) => {
    child.on('close', () => {
      exited = true;
      if (partial !== '') lines.push(partial);
      partial = '';
      resolve();
    });
    child.on('error', (e) => {
      err += `${e.message}\n`;
      exited = true;
      resolve();
    });
  });
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (err += chunk));

  return {
    netns,
    lines,
    stderr: () => err,
    exited: () => exited,
    async stop(graceMs = 2000) {
      if (!exited && child.pid !== undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

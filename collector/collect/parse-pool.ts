import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PreparedSnapshot } from '../store/prepared-snapshot';
import type { HostFailure } from '../store/store';
import type { HostOutput } from './collect-host';
import { HostFailureError } from './host-failure';

/**
 * Parser threads: each host's output is parsed, built into a snapshot, hashed and serialised in a
 * worker thread (host-output.ts), so the main thread keeps reading the other hosts' SSH sessions
 * and several hosts parse at once. The threads start with the pool, so that loading the parsers
 * overlaps the first fetches; a thread that dies fails only the host it was parsing, and the next
 * output gets a new one.
 */

export interface ParseRequest {
  id: number;
  output: HostOutput;
}

export type ParseReply = { id: number; prepared: PreparedSnapshot } | { id: number; failure: HostFailure };

export interface ParsePool {
  /** Rejects with a HostFailureError carrying the failure as host-failure.ts judged it. */
  prepare(output: HostOutput): Promise<PreparedSnapshot>;
  /** Stops the threads; outputs still waiting are rejected. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  output: HostOutput;
  resolve: (prepared: PreparedSnapshot) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  job: Job | null;
}

/**
 * The worker script, found at run time rather than traced by a bundler (Next would try to bundle
 * tsx and esbuild's binary): beside this module when it runs from source (CLI, tests), else under
 * the working directory, where the dashboard's server runs.
 */
function workerFile(): string {
  const dir: string | undefined = import.meta.dirname;
  const beside = dir ? path.join(/*turbopackIgnore: true*/ dir, workerScript) : null;
  if (beside && existsSync(beside)) return beside;
  return path.resolve(/*turbopackIgnore: true*/ process.cwd(), 'collector', 'collect', workerScript);
}

const workerScript = 'parse-worker.mjs';

export function parsePool(size: number): ParsePool {
  const queue: Job[] = [];
  const threads: Thread[] = [];
  let nextId = 0;
  let closed = false;

  const threadStart = (): Thread => {
    const thread: Thread = { worker: new Worker(workerFile()), job: null };
    const { worker } = thread;
    worker.on('message', (reply: ParseReply) => {
      const job = thread.job;
      if (!job || job.id !== reply.id) return;
      thread.job = null;
      // An idle thread does not keep the process alive.
      worker.unref();
      if ('prepared' in reply) job.resolve(reply.prepared);
      else job.reject(new HostFailureError(reply.failure));
      dispatch();
    });
    const lost = (why: string) => {
      const at = threads.indexOf(thread);
      if (at < 0) return;
      threads.splice(at, 1);
      const job = thread.job;
      thread.job = null;
      job?.reject(
        new HostFailureError({
          kind: 'parse',
          message: `${job.output.host}: the parser thread stopped: ${why}`,
        }),
      );
      void worker.terminate();
      dispatch();
    };
    worker.on('error', (e) => lost(e.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    threads.push(thread);
    return thread;
  };

  const dispatch = () => {
    while (!closed && queue.length > 0) {
      const thread = threads.find((t) => t.job === null) ?? (threads.length < size ? threadStart() : null);
      if (!thread) return;
      const job = queue.shift()!;
      thread.job = job;
      thread.worker.ref();
      thread.worker.postMessage({ id: job.id, output: job.output } satisfies ParseRequest);
    }
  };

  for (let i = 0; i < size; i++) threadStart().worker.unref();

  return {
    prepare(output) {
      if (closed) return Promise.reject(new Error('the parser threads are stopped'));
      return new Promise<PreparedSnapshot>((resolve, reject) => {
        queue.push({ id: ++nextId, output, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      const stopping = threads.splice(0);
      for (const job of [...queue.splice(0), ...stopping.flatMap((t) => (t.job ? [t.job] : []))])
        job.reject(new Error(`${job.output.host}: the parser threads were stopped`));
      await Promise.all(stopping.map((t) => t.worker.terminate()));
    },
  };
}

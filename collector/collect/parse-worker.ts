import { parentPort } from 'node:worker_threads';
import { failureOf } from './host-failure';
import { hostOutputPrepare } from './host-output';
import type { ParseReply, ParseRequest } from './parse-pool';

/** One parser thread of parse-pool.ts: host outputs in, prepared snapshots (bytes) out. */
const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs as a worker thread of parse-pool.ts');

port.on('message', (request: ParseRequest) => {
  let prepared;
  try {
    prepared = hostOutputPrepare(request.output);
  } catch (error) {
    port.postMessage({ id: request.id, failure: failureOf(error) } satisfies ParseReply);
    return;
  }
  // The JSON bytes move to the main thread instead of being copied.
  port.postMessage({ id: request.id, prepared } satisfies ParseReply, [
    prepared.parsedJson.buffer as ArrayBuffer,
    prepared.rawJson.buffer as ArrayBuffer,
  ]);
});

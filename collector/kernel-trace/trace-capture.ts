import type { BaseChain, BaseChainIndex } from '../../lib/kernel-trace/base-chains';
import { baseChainsOf } from '../../lib/kernel-trace/base-chains';
import { parseMonitorOutput } from '../../lib/kernel-trace/parse-monitor';
import type { TraceEvent } from '../../lib/kernel-trace/trace-event';
import { traceMarkerLine, traceMarkerPort } from '../../lib/kernel-trace/trace-table';
import { parseNftJson } from '../../lib/nftables/parse-json';
import { netnsRun } from '../netns/netns';
import type { TraceMonitor } from './trace-monitor';
import { traceMonitorStart } from './trace-monitor';

/**
 * Records what `nft monitor trace` prints in several namespaces while `fn` sends a probe. Tracing
 * must already be on there (traceEnable): the monitor only reports packets that carry nftrace, and
 * it reads the rules once, at start, so rules added later print as `unknown rule handle N`.
 *
 * A marker datagram (UDP to 127.0.0.1:9, traced by every trace table) tells when a monitor is
 * listening, and, sent again at the end, that it has printed everything the kernel reported before.
 * Monitors are stopped and reaped whatever happens.
 */

export class TraceCaptureError extends Error {
  override name = 'TraceCaptureError';
}

export interface TraceCaptureOptions {
  /** Output must stay unchanged this long after fn before the capture ends (late replies, retransmits). */
  quietMs?: number;
  /** Longest wait for that quiet. */
  settleMaxMs?: number;
  /** Longest wait for each monitor to report the marker. */
  readyTimeoutMs?: number;
}

export interface NetnsTrace {
  netns: string;
  /** Every line the monitor printed, markers included. */
  lines: string[];
  events: TraceEvent[];
  /** Base chains of the namespace's ruleset while the trace ran, to tell each chain's hook. */
  baseChains: BaseChain[];
  stderr: string;
}

export interface TraceCapture<T> {
  result: T;
  namespaces: NetnsTrace[];
  /** The events of every namespace, namespace by namespace. */
  events: TraceEvent[];
  index: BaseChainIndex;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function markerCount(m: TraceMonitor): number {
  return m.lines.filter(traceMarkerLine).length;
}

async function markerSend(netns: string): Promise<void> {
  const r = await netnsRun(netns, 'bash', [
    '-c',
    `echo -n packetlens >/dev/udp/127.0.0.1/${traceMarkerPort}`,
  ]);
  if (r.code !== 0) {
    throw new TraceCaptureError(
      `${netns}: cannot send the trace marker to 127.0.0.1 (is lo up?): ${r.stderr.trim()}`,
    );
  }
}

function monitorCheck(m: TraceMonitor): void {
  if (m.exited()) throw new TraceCaptureError(`${m.netns}: nft monitor trace exited: ${m.stderr().trim()}`);
}

/** Sends markers until every monitor has printed one more than it had. */
async function markersSeen(
  monitors: readonly TraceMonitor[],
  timeoutMs: number,
  what: string,
): Promise<void> {
  const before = new Map(monitors.map((m) => [m, markerCount(m)] as const));
  const pending = new Set(monitors);
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0) {
    await Promise.all([...pending].map((m) => markerSend(m.netns)));
    const roundEnd = Math.min(Date.now() + 300, deadline);
    while (Date.now() < roundEnd && pending.size > 0) {
      await sleep(20);
      for (const m of pending) {
        monitorCheck(m);
        if (markerCount(m) > before.get(m)!) pending.delete(m);
      }
    }
    if (pending.size > 0 && Date.now() >= deadline) {
      const names = [...pending].map((m) => m.netns).join(', ');
      throw new TraceCaptureError(
        `no trace of the ${what} marker within ${timeoutMs} ms in ${names}: is tracing enabled there?`,
      );
    }
  }
}

async function quiet(monitors: readonly TraceMonitor[], quietMs: number, maxMs: number): Promise<void> {
  const total = () => monitors.reduce((n, m) => n + m.lines.length, 0);
  const start = Date.now();
  let seen = total();
  let changed = Date.now();
  while (Date.now() - changed < quietMs && Date.now() - start < maxMs) {
    await sleep(25);
    const now = total();
    if (now !== seen) {
      seen = now;
      changed = Date.now();
    }
  }
}

async function baseChainsRead(netns: string): Promise<BaseChain[]> {
  const r = await netnsRun(netns, 'nft', ['-j', 'list', 'ruleset']);
  if (r.code !== 0) throw new TraceCaptureError(`${netns}: nft -j list ruleset failed: ${r.stderr.trim()}`);
  return baseChainsOf(parseNftJson(r.stdout, { file: `${netns}: nft -j list ruleset` }));
}

export async function traceCapture<T>(
  netnsList: readonly string[],
  fn: () => Promise<T>,
  opts: TraceCaptureOptions = {},
): Promise<TraceCapture<T>> {
  if (new Set(netnsList).size !== netnsList.length)
    throw new TraceCaptureError('a namespace is listed twice');
  const monitors = netnsList.map(traceMonitorStart);
  let result: T;
  let chains: BaseChain[][];
  try {
    await markersSeen(monitors, opts.readyTimeoutMs ?? 10_000, 'start');
    chains = await Promise.all(netnsList.map(baseChainsRead));
    result = await fn();
    await quiet(monitors, opts.quietMs ?? 300, opts.settleMaxMs ?? 5000);
    await markersSeen(monitors, opts.readyTimeoutMs ?? 10_000, 'end');
  } finally {
    await Promise.all(monitors.map((m) => m.stop()));
  }
  const namespaces = monitors.map((m, i) => ({
    netns: m.netns,
    lines: [...m.lines],
    events: parseMonitorOutput(m.netns, m.lines.join('\n')),
    baseChains: chains[i]!,
    stderr: m.stderr(),
  }));
  return {
    result,
    namespaces,
    events: namespaces.flatMap((n) => n.events),
    index: Object.fromEntries(namespaces.map((n) => [n.netns, n.baseChains])),
  };
}

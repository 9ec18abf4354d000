import type { KernelTrace } from '../../lib/kernel-trace/kernel-path-types';
import { kernelPath } from '../../lib/kernel-trace/kernel-path';
import type { Probe } from '../../lib/kernel-trace/probe';
import type { TraceSelector } from '../../lib/kernel-trace/trace-table';
import type { ProbeOutcome, ProbeSendOptions } from './probe-send';
import { probeSend } from './probe-send';
import type { TraceCapture, TraceCaptureOptions } from './trace-capture';
import { traceCapture } from './trace-capture';
import { traceDisable, traceEnable } from './trace-table';

/**
 * One probe, traced in the given namespaces: tracing on (for the probe's packets in both directions
 * and ICMP errors), monitors started, the probe sent, the output reduced to the kernel's path, and
 * tracing off again in every namespace where it was turned on, whatever failed.
 */

export interface TraceProbeOptions extends TraceCaptureOptions, ProbeSendOptions {
  /** More packets to trace, e.g. a backend's port when a `masquerade fully-random` rewrites the probe's. */
  extraSelectors?: readonly TraceSelector[];
}

export interface TracedProbe {
  probe: Probe;
  outcome: ProbeOutcome;
  trace: KernelTrace;
  capture: TraceCapture<ProbeOutcome>;
}

export async function traceProbe(
  netnsList: readonly string[],
  probe: Probe,
  opts: TraceProbeOptions = {},
): Promise<TracedProbe> {
  const selectors: TraceSelector[] = [
    { proto: probe.proto, port: probe.sport },
    ...(opts.extraSelectors ?? []),
  ];
  const enabled: string[] = [];
  try {
    for (const ns of netnsList) {
      await traceEnable(ns, selectors);
      enabled.push(ns);
    }
    const capture = await traceCapture(netnsList, () => probeSend(probe, opts), opts);
    return {
      probe,
      outcome: capture.result,
      trace: kernelPath(capture.events, probe, capture.index),
      capture,
    };
  } finally {
    const failed: string[] = [];
    for (const ns of enabled) {
      await traceDisable(ns).catch((e: unknown) => failed.push(String(e)));
    }
    if (failed.length > 0) throw new Error(`could not turn tracing off: ${failed.join('; ')}`);
  }
}

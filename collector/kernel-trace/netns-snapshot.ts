import type { Snapshot } from '../../lib/model/snapshot';
import { collectScript } from '../commands/collect-script';
import { runScript } from '../commands/run-script';
import { snapshotFromOutput } from '../commands/sections-snapshot';

/**
 * A namespace's snapshot exactly as `packetlens collect` builds a host's: the collector's own script
 * run inside the namespace (`ip netns exec`) and its output read by the collector's own parser.
 * Pods are off by default: each scenario namespace is a host of its own, and with pods on, every
 * namespace a veth leads to would also appear as its pod. Take it while tracing is off, or the
 * trace table is part of the snapshot.
 */
export async function snapshotOfNetns(
  ns: string,
  name: string,
  opts: { pods?: boolean } = {},
): Promise<Snapshot> {
  const collectedAt = new Date().toISOString();
  const result = await runScript(collectScript({ pods: opts.pods ?? false }), {
    prefix: ['ip', 'netns', 'exec', ns],
  });
  if (result.code !== 0) {
    throw new Error(`collect script in ${ns} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return snapshotFromOutput(result.stdout, { host: name, collectedAt }).snapshot;
}

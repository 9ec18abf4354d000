import { existsSync } from 'node:fs';
import type { Snapshot } from '../../lib/model/snapshot';
import type { Store } from '../store/store';
import { CliError } from './cli-error';
import { readSnapshotFile } from './snapshot-file';

/**
 * A snapshot named on the command line: a snapshot file, or `HOST` / `HOST@TIME` for a host's
 * latest snapshot in the store, or its latest collected at or before TIME (ISO 8601).
 */
export async function readSnapshotRef(ref: string, openStore: () => Store): Promise<Snapshot> {
  if (existsSync(ref) || ref.endsWith('.json')) return readSnapshotFile(ref);
  const at = ref.lastIndexOf('@');
  const host = at > 0 ? ref.slice(0, at) : ref;
  const time = at > 0 ? ref.slice(at + 1) : null;
  const ms = time === null ? null : Date.parse(time);
  if (ms !== null && Number.isNaN(ms)) throw new CliError(`${ref}: '${time}' is not an ISO 8601 time`);
  const store = openStore();
  try {
    if (!store.hostsList().some((h) => h.name === host))
      throw new CliError(`${ref}: no such file, and no host named '${host}' in ${store.location}`);
    if (ms === null) {
      const latest = store.snapshotLatest(host);
      if (!latest) throw new CliError(`${ref}: ${host} has no successful collection yet`);
      return latest.snapshot;
    }
    const points = store.historyOf(host).filter((p) => Date.parse(p.collectedAt) <= ms);
    const point = points[points.length - 1];
    if (!point) throw new CliError(`${ref}: ${host} has no collection at or before ${time}`);
    const stored = store.snapshotGet(point.snapshotId);
    if (!stored)
      throw new CliError(`${ref}: snapshot ${point.snapshotId} of ${host} is missing from ${store.location}`);
    return stored.snapshot;
  } finally {
    store.close();
  }
}

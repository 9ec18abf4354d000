import type { Snapshot } from '../../lib/model/snapshot';
import { snapshotContent } from './snapshot-content';
import { RawOutputs } from './store';
import type { StoreStats } from './store';
import { storedValueParse } from './stored-json';

/**
 * Everything saving a collection needs that does not touch the database: the content hash, the
 * volatile values, and the JSON of the snapshot and of its raw outputs. It is CPU work only, so a
 * worker thread may do it (collect/parse-pool.ts); what it holds crosses threads cheaply: bytes and
 * small values, never the snapshot's object graph.
 */
export interface PreparedSnapshot {
  /** sha256 of the canonical snapshot without its volatile values (snapshot-content.ts). */
  contentHash: string;
  volatile: unknown[];
  /** `JSON.stringify(snapshot)` as UTF-8, in a buffer of its own (transferable). */
  parsedJson: Uint8Array;
  /** `JSON.stringify(raw)` as UTF-8, in a buffer of its own. */
  rawJson: Uint8Array;
  stats: StoreStats;
  /** The snapshot's `host.collectedAt`. */
  collectedAt: string;
  schemaVersion: number;
  /** The pods, as the store registers them under their host. */
  pods: { name: string; labels: Record<string, string> }[];
}

export function snapshotPrepare(
  snapshot: Snapshot,
  raw: RawOutputs,
  stats: StoreStats,
  what: string,
): PreparedSnapshot {
  const checkedRaw = storedValueParse(RawOutputs, raw, `raw outputs of ${what}`);
  const content = snapshotContent(snapshot);
  // TextEncoder gives each its own ArrayBuffer; a small Buffer.from() may share Node's pool.
  const utf8 = new TextEncoder();
  return {
    contentHash: content.hash,
    volatile: content.volatile,
    parsedJson: utf8.encode(JSON.stringify(snapshot)),
    rawJson: utf8.encode(JSON.stringify(checkedRaw)),
    stats,
    collectedAt: snapshot.host.collectedAt,
    schemaVersion: snapshot.schemaVersion,
    pods: snapshot.pods.map((p) => ({ name: p.host.name, labels: p.host.labels })),
  };
}

import type Database from 'better-sqlite3';
import { z } from 'zod';
import { Snapshot } from '../../lib/model/snapshot';
import { blobCodecWritten, blobCompress, blobCompressAsync } from './blob-codec';
import type { PreparedSnapshot } from './prepared-snapshot';
import { snapshotPrepare } from './prepared-snapshot';
import { volatileApply, volatileDiff } from './snapshot-content';
import type { SqliteHosts } from './sqlite-hosts';
import { RawOutputs } from './store';
import type { HistoryPoint, Store, HostInput, RunId, SaveResult, StoredSnapshot } from './store';
import { storedBlobParse, storedJsonParse, storedValueParse } from './stored-json';
import { isoOf, msOf } from './time';

/** Content-addressed snapshots: bodies stored once per content, one observation per collection. */

const Counts = z.record(z.string(), z.number().int().nonnegative());
const LongestChain = z
  .object({ family: z.string(), table: z.string(), chain: z.string(), rules: z.number().int().nonnegative() })
  .nullable();
const VolatileValues = z.array(z.unknown());
const VolatileChanges = z.array(z.tuple([z.number().int().nonnegative(), z.unknown()]));

const ExistingRow = z.object({
  id: z.number().int(),
  codec: z.string(),
  volatile_base: z.instanceof(Buffer),
});

const BodyRow = z.object({
  snapshot_id: z.number().int(),
  host: z.string(),
  content_hash: z.string(),
  collected_at: z.number().int(),
  run_id: z.number().int().nullable(),
  codec: z.string(),
  parsed: z.instanceof(Buffer),
  volatile_codec: z.string().nullable(),
  volatile: z.instanceof(Buffer).nullable(),
});

const HistoryRow = z.object({
  snapshot_id: z.number().int(),
  collected_at: z.number().int(),
  run_id: z.number().int().nullable(),
  rules_total: z.number().int(),
  chains: z.number().int(),
  services: z.number().int().nullable(),
  endpoints: z.number().int().nullable(),
  by_table: z.string(),
  longest_chain: z.string().nullable(),
  by_chain_codec: z.string(),
  by_chain: z.instanceof(Buffer),
});

const RawRow = z.object({ codec: z.string(), raw: z.instanceof(Buffer) });

/** Compressed bodies of a snapshot not stored yet. */
interface Blobs {
  parsed: Buffer;
  raw: Buffer;
  volatileBase: Buffer;
}

/** One save, with the work done before the write lock. */
interface SaveInput {
  host: HostInput;
  prepared: PreparedSnapshot;
  runId: RunId | null;
  collectedAt: number;
  /** Null when the content was stored already as the save began. */
  blobs: Blobs | null;
}

function blobsOf(prepared: PreparedSnapshot): Blobs {
  return {
    parsed: blobCompress(prepared.parsedJson),
    raw: blobCompress(prepared.rawJson),
    volatileBase: blobCompress(JSON.stringify(prepared.volatile)),
  };
}

async function blobsOfAsync(prepared: PreparedSnapshot): Promise<Blobs> {
  const [parsed, raw, volatileBase] = await Promise.all([
    blobCompressAsync(prepared.parsedJson),
    blobCompressAsync(prepared.rawJson),
    blobCompressAsync(JSON.stringify(prepared.volatile)),
  ]);
  return { parsed, raw, volatileBase };
}

/** The store's snapshot half, as the Store interface declares it. */
export type SqliteSnapshots = Pick<
  Store,
  'snapshotSave' | 'snapshotSavePrepared' | 'snapshotLatest' | 'snapshotGet' | 'historyOf' | 'rawGet'
>;

export function sqliteSnapshots(db: Database.Database, hosts: SqliteHosts): SqliteSnapshots {
  const contentStored = db
    .prepare(
      `SELECT 1 FROM snapshots s JOIN hosts h ON h.id = s.host_id
       WHERE h.parent_id IS NULL AND h.name = ? AND s.content_hash = ?`,
    )
    .pluck();
  const selectExisting = db.prepare(
    `SELECT s.id, b.codec, b.volatile_base FROM snapshots s JOIN snapshot_bodies b ON b.snapshot_id = s.id
     WHERE s.host_id = ? AND s.content_hash = ?`,
  );
  const insertSnapshot = db.prepare(
    'INSERT INTO snapshots (host_id, content_hash, model_version, first_collected_at) VALUES (?, ?, ?, ?)',
  );
  const insertBody = db.prepare(
    `INSERT INTO snapshot_bodies (snapshot_id, codec, parsed, raw, volatile_base, parsed_bytes, raw_bytes)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertStats = db.prepare(
    `INSERT INTO snapshot_stats
       (snapshot_id, rules_total, chains, services, endpoints, by_table, longest_chain, by_chain_codec, by_chain)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Counts an analysis adds later fill in what an earlier save of the same content left unknown.
  const fillCounts = db.prepare(
    `UPDATE snapshot_stats SET services = coalesce(services, ?), endpoints = coalesce(endpoints, ?)
     WHERE snapshot_id = ?`,
  );
  const insertObservation = db.prepare(
    `INSERT INTO snapshot_observations (host_id, snapshot_id, collected_at, run_id, volatile_codec, volatile)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const bodyColumns = `s.id AS snapshot_id, h.name AS host, s.content_hash, b.codec, b.parsed`;
  const selectLatest = db.prepare(
    `SELECT ${bodyColumns}, o.collected_at, o.run_id, o.volatile_codec, o.volatile
     FROM snapshot_observations o JOIN snapshots s ON s.id = o.snapshot_id
     JOIN snapshot_bodies b ON b.snapshot_id = s.id JOIN hosts h ON h.id = o.host_id
     WHERE o.host_id = ? ORDER BY o.collected_at DESC, o.id DESC LIMIT 1`,
  );
  const selectById = db.prepare(
    `SELECT ${bodyColumns}, s.first_collected_at AS collected_at,
            (SELECT run_id FROM snapshot_observations WHERE snapshot_id = s.id ORDER BY id LIMIT 1)
              AS run_id,
            NULL AS volatile_codec, NULL AS volatile
     FROM snapshots s JOIN snapshot_bodies b ON b.snapshot_id = s.id JOIN hosts h ON h.id = s.host_id
     WHERE s.id = ?`,
  );
  const selectHistory = db.prepare(
    `SELECT o.snapshot_id, o.collected_at, o.run_id, t.rules_total, t.chains, t.services, t.endpoints,
            t.by_table, t.longest_chain, t.by_chain_codec, t.by_chain
     FROM snapshot_observations o JOIN snapshot_stats t ON t.snapshot_id = o.snapshot_id
     WHERE o.host_id = ? ORDER BY o.collected_at, o.id`,
  );
  const selectRaw = db.prepare('SELECT codec, raw FROM snapshot_bodies WHERE snapshot_id = ?');
  const runExists = db.prepare('SELECT 1 FROM runs WHERE id = ?').pluck();

  const save = db.transaction((input: SaveInput): SaveResult => {
    const { host, prepared, runId, collectedAt } = input;
    const { stats } = prepared;
    if (runId !== null && runExists.get(runId) === undefined) throw new Error(`no run ${runId}`);
    const hostId = hosts.hostRegister(host, Date.now());
    const found = selectExisting.get(hostId, prepared.contentHash);
    let snapshotId: number;
    let volatile: Buffer | null = null;
    if (found !== undefined) {
      const existing = storedValueParse(ExistingRow, found, `snapshot of ${host.name}`);
      snapshotId = existing.id;
      const base = storedBlobParse(
        VolatileValues,
        existing.codec,
        existing.volatile_base,
        `volatile values of snapshot ${snapshotId}`,
      );
      const diff = volatileDiff(base, prepared.volatile);
      if (diff.length > 0) volatile = blobCompress(JSON.stringify(diff));
      fillCounts.run(stats.services ?? null, stats.endpoints ?? null, snapshotId);
    } else {
      snapshotId = Number(
        insertSnapshot.run(hostId, prepared.contentHash, prepared.schemaVersion, collectedAt).lastInsertRowid,
      );
      // Compressed before the lock unless another writer stored this content since the check.
      const blobs = input.blobs ?? blobsOf(prepared);
      insertBody.run(
        snapshotId,
        blobCodecWritten,
        blobs.parsed,
        blobs.raw,
        blobs.volatileBase,
        prepared.parsedJson.byteLength,
        prepared.rawJson.byteLength,
      );
      insertStats.run(
        snapshotId,
        stats.rules.total,
        stats.chains,
        stats.services ?? null,
        stats.endpoints ?? null,
        JSON.stringify(stats.rules.byTable),
        stats.longestChain === null ? null : JSON.stringify(stats.longestChain),
        blobCodecWritten,
        blobCompress(JSON.stringify(stats.rules.byChain)),
      );
    }
    const observationId = Number(
      insertObservation.run(
        hostId,
        snapshotId,
        collectedAt,
        runId,
        volatile === null ? null : blobCodecWritten,
        volatile,
      ).lastInsertRowid,
    );
    for (const pod of prepared.pods) {
      hosts.hostSeen(hosts.podRegister(hostId, pod.name, pod.labels, collectedAt), collectedAt);
    }
    hosts.hostSeen(hostId, collectedAt);
    return { snapshotId, observationId, deduplicated: found !== undefined };
  });

  const stored = (found: unknown, what: string): StoredSnapshot => {
    const row = storedValueParse(BodyRow, found, what);
    const body = storedBlobParse(z.unknown(), row.codec, row.parsed, `${what}: body`);
    if (row.volatile !== null && row.volatile_codec !== null) {
      volatileApply(
        body,
        storedBlobParse(VolatileChanges, row.volatile_codec, row.volatile, `${what}: volatile values`),
      );
    }
    const snapshot = storedValueParse(Snapshot, body, `${what}: body`);
    const collectedAt = isoOf(row.collected_at);
    // The body holds the first observation's time (as written); a later observation has its own.
    if (Date.parse(snapshot.host.collectedAt) !== row.collected_at) snapshot.host.collectedAt = collectedAt;
    return {
      snapshotId: row.snapshot_id,
      host: row.host,
      contentHash: row.content_hash,
      collectedAt,
      runId: row.run_id,
      snapshot,
    };
  };

  return {
    snapshotSave(host, snapshot, raw, stats, runId) {
      // Hashing and checking take a while on a big rule set: done before the write lock is taken.
      const prepared = snapshotPrepare(snapshot, raw, stats, host.name);
      const collectedAt = msOf(prepared.collectedAt, `snapshot of ${host.name}: collectedAt`);
      return save.immediate({ host, prepared, runId, collectedAt, blobs: null });
    },
    async snapshotSavePrepared(host, prepared, runId) {
      const collectedAt = msOf(prepared.collectedAt, `snapshot of ${host.name}: collectedAt`);
      // New content is compressed in the thread pool, so other hosts' I/O goes on meanwhile.
      const stored = contentStored.get(host.name, prepared.contentHash) !== undefined;
      const blobs = stored ? null : await blobsOfAsync(prepared);
      return save.immediate({ host, prepared, runId, collectedAt, blobs });
    },
    snapshotLatest(host) {
      const hostId = hosts.hostIdOf(host);
      const found = hostId === null ? undefined : selectLatest.get(hostId);
      return found === undefined ? null : stored(found, `latest snapshot of ${host}`);
    },
    snapshotGet(id) {
      const found = selectById.get(id);
      return found === undefined ? null : stored(found, `snapshot ${id}`);
    },
    historyOf(host, options) {
      const hostId = hosts.hostIdOf(host);
      if (hostId === null) return [];
      // Observations of one content share their statistics: each is read once.
      const byTable = new Map<number, Record<string, number>>();
      const byChain = new Map<number, Record<string, number>>();
      return selectHistory.all(hostId).map((value): HistoryPoint => {
        const row = storedValueParse(HistoryRow, value, `history of ${host}`);
        const id = row.snapshot_id;
        const point: HistoryPoint = {
          collectedAt: isoOf(row.collected_at),
          snapshotId: id,
          runId: row.run_id,
          rulesTotal: row.rules_total,
          chains: row.chains,
          services: row.services,
          endpoints: row.endpoints,
          byTable: cached(byTable, id, () =>
            storedJsonParse(Counts, row.by_table, `rules per table of snapshot ${id}`),
          ),
          longestChain:
            row.longest_chain === null
              ? null
              : storedJsonParse(LongestChain, row.longest_chain, `longest chain of snapshot ${id}`),
        };
        if (options?.byChain) {
          point.byChain = cached(byChain, id, () =>
            storedBlobParse(Counts, row.by_chain_codec, row.by_chain, `rules per chain of snapshot ${id}`),
          );
        }
        return point;
      });
    },
    rawGet(snapshotId) {
      const found = selectRaw.get(snapshotId);
      if (found === undefined) return null;
      const row = storedValueParse(RawRow, found, `raw outputs of snapshot ${snapshotId}`);
      return storedBlobParse(RawOutputs, row.codec, row.raw, `raw outputs of snapshot ${snapshotId}`);
    },
  };
}

function cached<K, V>(map: Map<K, V>, key: K, load: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = load();
    map.set(key, value);
  }
  return value;
}

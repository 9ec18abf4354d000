import type Database from 'better-sqlite3';
import { StoreError } from './store-error';

/**
 * The SQLite schema, one migration per version. `PRAGMA user_version` holds the version a file is
 * at; opening runs the migrations it lacks, so later versions only append here. Times are
 * milliseconds since the epoch (UTC); JSON bodies are compressed blobs with their codec beside them.
 */

/** Marks a file as a packetlens store (`PRAGMA application_id`, 'PLNS'). */
export const storeApplicationId = 0x504c4e53;

const migrations: readonly string[] = [
  // 1: hosts, runs, content-addressed snapshots with their bodies, statistics and observations.
  `
  CREATE TABLE hosts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('host', 'pod', 'import')),
    address TEXT,
    labels TEXT NOT NULL DEFAULT '{}',
    -- Pods belong to the host they were found on.
    parent_id INTEGER REFERENCES hosts (id),
    registered_at INTEGER NOT NULL,
    -- First and last successful collection.
    first_seen INTEGER,
    last_seen INTEGER,
    -- The last outcome recorded wins: a failure after a success makes the host stale.
    last_outcome TEXT CHECK (last_outcome IN ('ok', 'failed')),
    last_failure_kind TEXT,
    last_failure_message TEXT,
    last_failure_at INTEGER,
    CHECK ((kind = 'pod') = (parent_id IS NOT NULL))
  );
  CREATE UNIQUE INDEX hosts_name ON hosts (coalesce(parent_id, 0), name);

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    finished_at INTEGER
  );

  CREATE TABLE run_hosts (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    host_id INTEGER NOT NULL REFERENCES hosts (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'failed')),
    failure_kind TEXT CHECK (failure_kind IN
      ('unreachable', 'auth', 'host-key', 'timeout', 'truncated', 'permission', 'exit', 'parse')),
    failure_message TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (run_id, host_id),
    CHECK ((status = 'failed') = (failure_kind IS NOT NULL))
  ) WITHOUT ROWID;

  CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    host_id INTEGER NOT NULL REFERENCES hosts (id),
    -- sha256 of the canonical snapshot without its volatile values (snapshot-content.ts).
    content_hash TEXT NOT NULL,
    -- The snapshot model's own schemaVersion, for a reader that must convert old bodies.
    model_version INTEGER NOT NULL,
    first_collected_at INTEGER NOT NULL,
    UNIQUE (host_id, content_hash)
  );

  CREATE TABLE snapshot_bodies (
    snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots (id),
    codec TEXT NOT NULL,
    -- The parsed snapshot as first observed, and the raw outputs it was parsed from.
    parsed BLOB NOT NULL,
    raw BLOB NOT NULL,
    -- The body's volatile values in slot order, so an observation stores only those that differ.
    volatile_base BLOB NOT NULL,
    parsed_bytes INTEGER NOT NULL,
    raw_bytes INTEGER NOT NULL
  );

  CREATE TABLE snapshot_stats (
    snapshot_id INTEGER PRIMARY KEY REFERENCES snapshots (id),
    rules_total INTEGER NOT NULL,
    chains INTEGER NOT NULL,
    services INTEGER,
    endpoints INTEGER,
    by_table TEXT NOT NULL,
    longest_chain TEXT,
    -- Thousands of entries on a kube-proxy node: compressed like the bodies.
    by_chain_codec TEXT NOT NULL,
    by_chain BLOB NOT NULL
  );

  CREATE TABLE snapshot_observations (
    id INTEGER PRIMARY KEY,
    host_id INTEGER NOT NULL REFERENCES hosts (id),
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    collected_at INTEGER NOT NULL,
    run_id INTEGER REFERENCES runs (id),
    -- Volatile values (counters, timers, neighbours) that differ from the stored body; null if none.
    volatile_codec TEXT,
    volatile BLOB
  );
  CREATE INDEX observations_by_host ON snapshot_observations (host_id, collected_at, id);
  CREATE INDEX observations_by_snapshot ON snapshot_observations (snapshot_id);
  CREATE INDEX observations_by_run ON snapshot_observations (run_id);
  `,
];

export const storeSchemaVersion = migrations.length;

/** Brings a freshly opened database to the current schema, or explains why it cannot. */
export function schemaMigrate(db: Database.Database, file: string): void {
  const migrate = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    const appId = db.pragma('application_id', { simple: true }) as number;
    const fresh = version === 0 && appId === 0;
    if (fresh) {
      const tables = db
        .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
        .pluck()
        .all() as string[];
      if (tables.length > 0) {
        throw new StoreError(file, `not a packetlens store (it holds tables ${tables.join(', ')})`);
      }
      db.pragma(`application_id = ${storeApplicationId}`);
    } else if (appId !== storeApplicationId) {
      throw new StoreError(file, `not a packetlens store (application id 0x${appId.toString(16)})`);
    }
    if (version > storeSchemaVersion) {
      throw new StoreError(
        file,
        `schema version ${version} was written by a newer packetlens; this one reads up to ${storeSchemaVersion}`,
      );
    }
    for (let v = version; v < storeSchemaVersion; v++) {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  });
  // IMMEDIATE: two processes opening a new file at once must not both create the tables.
  migrate.immediate();
}

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sqliteHosts } from './sqlite-hosts';
import { sqliteRuns } from './sqlite-runs';
import { schemaMigrate } from './sqlite-schema';
import { sqliteSnapshots } from './sqlite-snapshots';
import type { Store } from './store';
import { StoreError, storeGuard, storeGuardAsync } from './store-error';

/** Where the store lives when no `--db` is given. */
export const defaultStoreFile = './data/packetlens.db';

/**
 * Opens (creating or migrating) the SQLite store. WAL with synchronous=NORMAL: a killed process
 * loses nothing committed (only a power cut may lose the last transactions, never consistency),
 * and the dashboard reads while the collector writes. Every error names the file.
 */
export function openStore(file: string = defaultStoreFile): Store {
  const location = path.resolve(/*turbopackIgnore: true*/ file);
  const { db, hosts, runs, snapshots } = storeGuard(location, () => {
    mkdirSync(path.dirname(location), { recursive: true });
    // Another process (the dashboard, a second collect) may hold the write lock for a moment.
    const db = new Database(location, { timeout: 10_000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      schemaMigrate(db, location);
      const hosts = sqliteHosts(db);
      return { db, hosts, runs: sqliteRuns(db, hosts), snapshots: sqliteSnapshots(db, hosts) };
    } catch (e) {
      db.close();
      throw e;
    }
  });
  const guard = <T>(fn: () => T): T => {
    if (!db.open) throw new StoreError(location, 'the store is closed');
    return storeGuard(location, fn);
  };

  return {
    location,
    runStart: (input) => guard(() => runs.runStart(input)),
    runHostResult: (runId, host, outcome, times = {}) =>
      guard(() => runs.runHostResult(runId, host, outcome, times)),
    runFinish: (runId, finishedAt = new Date()) => guard(() => runs.runFinish(runId, finishedAt)),
    runGet: (runId) => guard(() => runs.runGet(runId)),
    snapshotSave: (host, snapshot, raw, stats, runId) =>
      guard(() => snapshots.snapshotSave(host, snapshot, raw, stats, runId)),
    snapshotSavePrepared: (host, prepared, runId) =>
      storeGuardAsync(location, () => {
        if (!db.open) throw new StoreError(location, 'the store is closed');
        return snapshots.snapshotSavePrepared(host, prepared, runId);
      }),
    hostsList: (options = {}) => guard(() => hosts.hostsList(options)),
    snapshotLatest: (host) => guard(() => snapshots.snapshotLatest(host)),
    snapshotGet: (id) => guard(() => snapshots.snapshotGet(id)),
    historyOf: (host, options = {}) => guard(() => snapshots.historyOf(host, options)),
    rawGet: (snapshotId) => guard(() => snapshots.rawGet(snapshotId)),
    close: () => {
      if (db.open) db.close();
    },
  };
}

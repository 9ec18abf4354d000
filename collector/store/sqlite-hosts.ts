import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { HostInput, HostOutcome, HostsListOptions, HostState, HostSummary } from './store';
import { FailureKind, HostFailure, StoreHostKind } from './store';
import { storedJsonParse, storedValueParse } from './stored-json';
import { durationText, isoOf } from './time';

/** Host rows: registration, the last outcome of each host, and the fleet list. */

const Labels = z.record(z.string(), z.string());

const HostRow = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: StoreHostKind,
  address: z.string().nullable(),
  labels: z.string(),
  first_seen: z.number().int().nullable(),
  last_seen: z.number().int().nullable(),
  last_outcome: z.enum(['ok', 'failed']).nullable(),
  last_failure_kind: FailureKind.nullable(),
  last_failure_message: z.string().nullable(),
  last_failure_at: z.number().int().nullable(),
  last_snapshot_id: z.number().int().nullable(),
});
type HostRow = z.infer<typeof HostRow>;

export interface SqliteHosts {
  /** The id of a top-level host, registering it or refreshing its kind, address and labels. */
  hostRegister(host: HostInput, now: number): number;
  /** The id of a pod found on a host, registering it on first sight. */
  podRegister(parentId: number, name: string, labels: Record<string, string>, now: number): number;
  hostIdOf(name: string): number | null;
  /** A successful collection at `collectedAt`: widens first/last seen, and the host is ok again. */
  hostSeen(hostId: number, collectedAt: number): void;
  hostOutcome(hostId: number, outcome: HostOutcome, at: number): void;
  hostsList(options: HostsListOptions): HostSummary[];
}

export function sqliteHosts(db: Database.Database): SqliteHosts {
  const findTop = db.prepare('SELECT id FROM hosts WHERE parent_id IS NULL AND name = ?').pluck();
  const findPod = db.prepare('SELECT id FROM hosts WHERE parent_id = ? AND name = ?').pluck();
  const insert = db.prepare(
    `INSERT INTO hosts (name, kind, address, labels, parent_id, registered_at) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const refresh = db.prepare('UPDATE hosts SET kind = ?, address = ?, labels = ? WHERE id = ?');
  const refreshLabels = db.prepare('UPDATE hosts SET labels = ? WHERE id = ?');
  const seen = db.prepare(
    `UPDATE hosts SET first_seen = min(coalesce(first_seen, :at), :at), last_seen = max(coalesce(last_seen, :at), :at)
     WHERE id = :id`,
  );
  const outcomeOk = db.prepare(`UPDATE hosts SET last_outcome = 'ok' WHERE id = ?`);
  const outcomeFailed = db.prepare(
    `UPDATE hosts SET last_outcome = 'failed', last_failure_kind = ?, last_failure_message = ?, last_failure_at = ?
     WHERE id = ?`,
  );
  const list = db.prepare(
    `SELECT h.id, h.name, h.kind, h.address, h.labels, h.first_seen, h.last_seen, h.last_outcome,
            h.last_failure_kind, h.last_failure_message, h.last_failure_at,
            (SELECT o.snapshot_id FROM snapshot_observations o WHERE o.host_id = h.id
             ORDER BY o.collected_at DESC, o.id DESC LIMIT 1) AS last_snapshot_id
     FROM hosts h WHERE h.parent_id IS NULL ORDER BY h.name`,
  );
  const podsSeenWith = db
    .prepare('SELECT name FROM hosts WHERE parent_id = ? AND last_seen = ? ORDER BY name')
    .pluck();

  const idOf = (value: unknown): number | null => (typeof value === 'number' ? value : null);

  return {
    hostRegister(host, now) {
      if (host.kind === 'pod') {
        throw new Error(`host ${host.name}: a pod is stored inside the snapshot of the host it runs on`);
      }
      const labels = JSON.stringify(host.labels);
      const id = idOf(findTop.get(host.name));
      if (id !== null) {
        refresh.run(host.kind, host.address, labels, id);
        return id;
      }
      return Number(insert.run(host.name, host.kind, host.address, labels, null, now).lastInsertRowid);
    },
    podRegister(parentId, name, labels, now) {
      const id = idOf(findPod.get(parentId, name));
      if (id !== null) {
        refreshLabels.run(JSON.stringify(labels), id);
        return id;
      }
      return Number(insert.run(name, 'pod', null, JSON.stringify(labels), parentId, now).lastInsertRowid);
    },
    hostIdOf(name) {
      return idOf(findTop.get(name));
    },
    hostSeen(hostId, collectedAt) {
      seen.run({ id: hostId, at: collectedAt });
      outcomeOk.run(hostId);
    },
    hostOutcome(hostId, outcome, at) {
      if (outcome.status === 'ok') outcomeOk.run(hostId);
      else outcomeFailed.run(outcome.failure.kind, outcome.failure.message, at, hostId);
    },
    hostsList(options) {
      const now = (options.now ?? new Date()).getTime();
      return list.all().map((value) => {
        const row = storedValueParse(HostRow, value, 'host row');
        const pods =
          row.last_seen === null
            ? []
            : (podsSeenWith.all(row.id, row.last_seen) as unknown[]).map((n) => String(n));
        return {
          ...hostState(row, now, options.staleAfterMs),
          name: row.name,
          kind: row.kind,
          address: row.address,
          labels: storedJsonParse(Labels, row.labels, `labels of host ${row.name}`),
          firstSeen: row.first_seen === null ? null : isoOf(row.first_seen),
          lastSeen: row.last_seen === null ? null : isoOf(row.last_seen),
          lastFailureAt: row.last_failure_at === null ? null : isoOf(row.last_failure_at),
          lastSnapshotId: row.last_snapshot_id,
          pods,
        };
      });
    },
  };
}

function hostState(row: HostRow, now: number, staleAfterMs: number | undefined): HostState {
  const lastSeen = row.last_snapshot_id === null ? null : row.last_seen;
  if (row.last_outcome === 'failed') {
    const reason = storedValueParse(
      HostFailure,
      { kind: row.last_failure_kind, message: row.last_failure_message },
      `last failure of host ${row.name}`,
    );
    return lastSeen === null ? { state: 'failed', reason } : { state: 'stale', reason };
  }
  if (row.last_outcome === null || lastSeen === null) return { state: 'pending' };
  if (staleAfterMs !== undefined && now - lastSeen > staleAfterMs) {
    const message = `last collected ${isoOf(lastSeen)}, more than ${durationText(staleAfterMs)} ago`;
    return { state: 'stale', reason: { kind: 'outdated', message } };
  }
  return { state: 'fresh' };
}

import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { SqliteHosts } from './sqlite-hosts';
import { FailureKind, HostFailure, HostOutcome } from './store';
import type { RunHostRecord, RunId, RunProgress, RunRecord, RunStartInput } from './store';
import { storedValueParse } from './stored-json';
import { isoOf } from './time';

/** Collection runs: the hosts each run set out to collect, and how each one ended. */

const RunRow = z.object({
  id: z.number().int(),
  started_at: z.number().int(),
  finished_at: z.number().int().nullable(),
});

const RunHostRow = z.object({
  name: z.string(),
  status: z.enum(['pending', 'ok', 'failed']),
  failure_kind: FailureKind.nullable(),
  failure_message: z.string().nullable(),
  started_at: z.number().int().nullable(),
  finished_at: z.number().int().nullable(),
});

const ProgressRow = z.object({ total: z.number().int(), ok: z.number().int(), failed: z.number().int() });

export interface SqliteRuns {
  runStart(input: RunStartInput): RunId;
  runHostResult(
    runId: RunId,
    host: string,
    outcome: HostOutcome,
    times: { startedAt?: Date; finishedAt?: Date },
  ): RunProgress;
  runFinish(runId: RunId, finishedAt: Date): RunRecord;
  runGet(runId: RunId): RunRecord | null;
}

export function sqliteRuns(db: Database.Database, hosts: SqliteHosts): SqliteRuns {
  const insertRun = db.prepare('INSERT INTO runs (started_at) VALUES (?)');
  const insertRunHost = db.prepare(
    `INSERT INTO run_hosts (run_id, host_id, status) VALUES (?, ?, 'pending')`,
  );
  const updateRunHost = db.prepare(
    `UPDATE run_hosts SET status = ?, failure_kind = ?, failure_message = ?, started_at = ?, finished_at = ?
     WHERE run_id = ? AND host_id = ?`,
  );
  const finish = db.prepare('UPDATE runs SET finished_at = ? WHERE id = ?');
  const selectRun = db.prepare('SELECT id, started_at, finished_at FROM runs WHERE id = ?');
  const selectRunHosts = db.prepare(
    `SELECT h.name, r.status, r.failure_kind, r.failure_message, r.started_at, r.finished_at
     FROM run_hosts r JOIN hosts h ON h.id = r.host_id WHERE r.run_id = ? ORDER BY h.name`,
  );
  const selectProgress = db.prepare(
    `SELECT count(*) AS total, coalesce(sum(status = 'ok'), 0) AS ok, coalesce(sum(status = 'failed'), 0) AS failed
     FROM run_hosts WHERE run_id = ?`,
  );

  const progress = (runId: RunId): RunProgress => {
    const row = storedValueParse(ProgressRow, selectProgress.get(runId), `progress of run ${runId}`);
    return { ...row, done: row.ok + row.failed };
  };

  const runGet = (runId: RunId): RunRecord | null => {
    const found = selectRun.get(runId);
    if (found === undefined) return null;
    const run = storedValueParse(RunRow, found, `run ${runId}`);
    const runHosts = selectRunHosts.all(runId).map((value): RunHostRecord => {
      const row = storedValueParse(RunHostRow, value, `host of run ${runId}`);
      return {
        host: row.name,
        status: row.status,
        failure:
          row.status === 'failed'
            ? storedValueParse(
                HostFailure,
                { kind: row.failure_kind, message: row.failure_message },
                `failure of ${row.name} in run ${runId}`,
              )
            : null,
        startedAt: row.started_at === null ? null : isoOf(row.started_at),
        finishedAt: row.finished_at === null ? null : isoOf(row.finished_at),
      };
    });
    return {
      id: run.id,
      startedAt: isoOf(run.started_at),
      finishedAt: run.finished_at === null ? null : isoOf(run.finished_at),
      progress: progress(runId),
      hosts: runHosts,
    };
  };

  const start = db.transaction((input: RunStartInput): RunId => {
    const startedAt = (input.startedAt ?? new Date()).getTime();
    const runId = Number(insertRun.run(startedAt).lastInsertRowid);
    const seen = new Set<string>();
    for (const host of input.hosts) {
      if (seen.has(host.name)) throw new Error(`run: host ${host.name} is listed twice`);
      seen.add(host.name);
      insertRunHost.run(runId, hosts.hostRegister(host, startedAt));
    }
    return runId;
  });

  const result = db.transaction(
    (runId: RunId, host: string, outcome: HostOutcome, times: { startedAt?: Date; finishedAt?: Date }) => {
      const checked = HostOutcome.parse(outcome);
      const hostId = hosts.hostIdOf(host);
      const finishedAt = (times.finishedAt ?? new Date()).getTime();
      const failure = checked.status === 'failed' ? checked.failure : null;
      const changed =
        hostId === null
          ? 0
          : updateRunHost.run(
              checked.status,
              failure?.kind ?? null,
              failure?.message ?? null,
              times.startedAt?.getTime() ?? null,
              finishedAt,
              runId,
              hostId,
            ).changes;
      if (hostId === null || changed === 0) throw new Error(`run ${runId} has no host ${host}`);
      hosts.hostOutcome(hostId, checked, finishedAt);
      return progress(runId);
    },
  );

  return {
    runStart: (input) => start.immediate(input),
    runHostResult: (runId, host, outcome, times) => result.immediate(runId, host, outcome, times),
    runFinish(runId, finishedAt) {
      finish.run(finishedAt.getTime(), runId);
      const run = runGet(runId);
      if (run === null) throw new Error(`no run ${runId}`);
      return run;
    },
    runGet,
  };
}

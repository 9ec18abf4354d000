import { z } from 'zod';
import { SnapshotKind, type Snapshot } from '../../lib/model/snapshot';
import type { ChainSize, SnapshotStats } from '../../lib/snapshot/stats';
import type { PreparedSnapshot } from './prepared-snapshot';

/**
 * The store: hosts, content-addressed snapshots with their raw outputs and statistics, and
 * collection runs. One small interface so that another database can serve later; SQLite
 * (sqlite-store.ts) is the default. Times cross it as ISO 8601 strings.
 */

/** What one allow-listed command gave back on a host, kept so a newer parser can re-read it. */
export const RawOutput = z.object({
  stdout: z.string(),
  stderr: z.string(),
  /** Null when the command did not exit by itself (killed by a signal, cut off by a timeout). */
  exitCode: z.number().int().nullable(),
  /** The tool is not installed on the host: recorded, not a failure. */
  missing: z.boolean(),
});
export type RawOutput = z.infer<typeof RawOutput>;

/** Raw outputs keyed by command name, e.g. `iptables-save -c`, `pod/web-0: ip -j addr`. */
export const RawOutputs = z.record(z.string(), RawOutput);
export type RawOutputs = z.infer<typeof RawOutputs>;

export const FailureKind = z.enum([
  'unreachable',
  'auth',
  'host-key',
  'timeout',
  'truncated',
  'permission',
  'exit',
  'parse',
]);
export type FailureKind = z.infer<typeof FailureKind>;

export const HostFailure = z.object({ kind: FailureKind, message: z.string() });
export type HostFailure = z.infer<typeof HostFailure>;

/** How collecting one host ended within a run. */
export const HostOutcome = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok') }),
  z.object({ status: z.literal('failed'), failure: HostFailure }),
]);
export type HostOutcome = z.infer<typeof HostOutcome>;

export const StoreHostKind = SnapshotKind;
export type StoreHostKind = z.infer<typeof StoreHostKind>;

/** A host as the collector knows it (from the inventory, or an imported file). */
export interface HostInput {
  /** Unique among top-level hosts; a pod's name is unique under its parent. */
  name: string;
  kind: StoreHostKind;
  /** Address the collector connects to; null for local and imported hosts. */
  address: string | null;
  labels: Record<string, string>;
}

/** Counts the caller adds to `snapshotStats`: services and endpoints come from a later analysis. */
export interface StoreStats extends SnapshotStats {
  services?: number | null;
  endpoints?: number | null;
}

export type RunId = number;
export type SnapshotId = number;

export interface RunProgress {
  total: number;
  /** Hosts with an outcome, ok or failed. */
  done: number;
  ok: number;
  failed: number;
}

export interface RunHostRecord {
  host: string;
  status: 'pending' | HostOutcome['status'];
  failure: HostFailure | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunRecord {
  id: RunId;
  startedAt: string;
  /** Null while the run goes on, and forever for a run whose process was killed. */
  finishedAt: string | null;
  progress: RunProgress;
  hosts: RunHostRecord[];
}

/** Why a host's last good snapshot is not current. */
export type StaleReason = HostFailure | { kind: 'outdated'; message: string };

export type HostState =
  /** The last collection succeeded (and, when asked, recently enough). */
  | { state: 'fresh' }
  /** The last collection failed or is too old; the last good snapshot stays available. */
  | { state: 'stale'; reason: StaleReason }
  /** Collection failed and no snapshot was ever stored. */
  | { state: 'failed'; reason: HostFailure }
  /** Registered by a run that has not reported on it yet. */
  | { state: 'pending' };

export type HostSummary = HostState & {
  name: string;
  kind: StoreHostKind;
  address: string | null;
  labels: Record<string, string>;
  /** First and last successful collection; null when never collected. */
  firstSeen: string | null;
  lastSeen: string | null;
  /** When the last failed collection ended, kept after a later success. */
  lastFailureAt: string | null;
  /** The snapshot of the last successful collection. */
  lastSnapshotId: SnapshotId | null;
  /** Pods found in the last successful collection. */
  pods: string[];
};

export interface HostsListOptions {
  /** A last good collection older than this is stale even without a failure. */
  staleAfterMs?: number;
  /** The clock `staleAfterMs` is measured against (default: now). */
  now?: Date;
}

export interface SaveResult {
  snapshotId: SnapshotId;
  observationId: number;
  /** The same content was already stored for this host: only the observation was recorded. */
  deduplicated: boolean;
}

export interface StoredSnapshot {
  snapshotId: SnapshotId;
  host: string;
  /** sha256 of the canonical snapshot without its per-collection fields. */
  contentHash: string;
  /** When this observation (from `snapshotGet`: the first one stored of this content) was collected. */
  collectedAt: string;
  runId: RunId | null;
  snapshot: Snapshot;
}

export interface HistoryPoint {
  collectedAt: string;
  snapshotId: SnapshotId;
  runId: RunId | null;
  rulesTotal: number;
  chains: number;
  services: number | null;
  endpoints: number | null;
  /** Rules per table, keyed `family/table` as `snapshotStats` keys them. */
  byTable: Record<string, number>;
  longestChain: ChainSize | null;
  /** Rules per chain; only with `{ byChain: true }`, since a kube-proxy node has thousands. */
  byChain?: Record<string, number>;
}

export interface RunStartInput {
  hosts: readonly HostInput[];
  startedAt?: Date;
}

export interface Store {
  /** The file (or other location) the store lives in, for messages. */
  readonly location: string;
  /** Registers a run and its hosts, each pending until `runHostResult`. */
  runStart(input: RunStartInput): RunId;
  /** Records one host's outcome in a run, and returns how far the run has got. */
  runHostResult(
    runId: RunId,
    host: string,
    outcome: HostOutcome,
    times?: { startedAt?: Date; finishedAt?: Date },
  ): RunProgress;
  runFinish(runId: RunId, finishedAt?: Date): RunRecord;
  runGet(runId: RunId): RunRecord | null;
  /**
   * Stores one collection of a host (its pods included) in one transaction. Content already stored
   * for the host is not stored again: only the observation (time, run, volatile values) is added.
   */
  snapshotSave(
    host: HostInput,
    snapshot: Snapshot,
    raw: RawOutputs,
    stats: StoreStats,
    runId: RunId | null,
  ): SaveResult;
  /**
   * The same for a collection prepared off the event loop (prepared-snapshot.ts); new content is
   * compressed without blocking it, and the write is one transaction as with `snapshotSave`.
   */
  snapshotSavePrepared(host: HostInput, prepared: PreparedSnapshot, runId: RunId | null): Promise<SaveResult>;
  hostsList(options?: HostsListOptions): HostSummary[];
  /** The host's most recent observation, with that observation's time and counters. */
  snapshotLatest(host: string): StoredSnapshot | null;
  /** A stored snapshot as it was first stored (its time, counters and raw outputs). */
  snapshotGet(id: SnapshotId): StoredSnapshot | null;
  /** Statistics per observation, oldest first. */
  historyOf(host: string, options?: { byChain?: boolean }): HistoryPoint[];
  /**
   * The raw outputs a snapshot was first parsed from. Later observations of the same content keep
   * their volatile values in parsed form only.
   */
  rawGet(snapshotId: SnapshotId): RawOutputs | null;
  close(): void;
}

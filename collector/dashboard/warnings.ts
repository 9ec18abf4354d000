import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { GrowthPoint } from '../../lib/analyze/growth';
import { groupGrowth, hostGrowth } from '../../lib/analyze/growth';
import { kubeServiceCounts, kubeServices } from '../../lib/analyze/kube-services';
import { RestoreCalibration, defaultRestoreCalibration } from '../../lib/analyze/restore-calibration';
import type { WarningsResult } from '../../lib/analyze/warnings';
import { snapshotWarnings } from '../../lib/analyze/warnings';
import type { Snapshot } from '../../lib/model/snapshot';
import { snapshotStats } from '../../lib/snapshot/stats';
import type {
  CalibrationNote,
  ClusterRef,
  ClusterWarnings,
  HostWarnings,
  HostWarningsBrief,
  WarningBadges,
  WarningsIndex,
} from '../../lib/views/warnings';
import {
  clusterGroups,
  clusterName,
  clusterWarningList,
  growthView,
  hostAnalysis,
  hostWarningsBrief,
  warningBadges,
} from '../../lib/views/warnings';
import type { HostSummary } from '../store/store';
import { HttpError } from './http';
import type { PreparedSnapshot } from './prepared-snapshots';
import type { Dashboard } from './runtime';
import { latestKey, SubjectError, subjectSource } from './subjects';

/**
 * Warnings and growth for the dashboard. A host's warnings are computed once per prepared snapshot
 * (a 170,000-rule host takes about a second), by the warm-up or a background queue, and kept per
 * host so the fleet can show badges for 50 hosts without computing anything: a host not analysed
 * yet is `pending`, never a guessed count. Growth comes from the store's history, read once per
 * collection of a host.
 */

/** The view's query: `host=NAME`, or `cluster=NAME` (empty: the hosts without one) in a scope. */
export const WarningsQuery = z.object({
  host: z.string().min(1).max(200).optional(),
  cluster: z.string().max(200).optional(),
  scope: z.enum(['store', 'examples']).default('store'),
});
export type WarningsQuery = z.output<typeof WarningsQuery>;

type Outcome = { result: WarningsResult } | { failed: string };

interface State {
  /** Per host: the snapshot key and calibration it was analysed with, and the outcome. */
  analysed: Map<string, Analysed>;
  queue: Set<string>;
  running: boolean;
  /** Per host: its history cut to what growth needs, for one collection of it. */
  histories: Map<string, { key: string; points: GrowthPoint[] }>;
}

const states = new WeakMap<Dashboard, State>();

function stateOf(d: Dashboard): State {
  let s = states.get(d);
  if (!s)
    states.set(d, (s = { analysed: new Map(), queue: new Set(), running: false, histories: new Map() }));
  return s;
}

// ---- calibration ---------------------------------------------------------------------------------

interface Calibration {
  note: CalibrationNote;
  /** Changes when the file does. */
  key: string;
}

/**
 * The file the CLI reads too (collector/cli/calibration-file.ts), not imported from there: the
 * bundler would trace that module's look at the data directory into the build.
 */
const calibrationFile = () =>
  path.join(/*turbopackIgnore: true*/ process.cwd(), 'data', 'restore-calibration.json');

/**
 * The calibration warnings use, as the CLI picks it: ./data/restore-calibration.json (written by
 * npm run bench:analyze) when present, else the default. A file that does not read is named with its
 * problem on the page and the default is used.
 */
// The fleet asks for every host's badges at once: the file is looked at once a second at most.
let lastCalibration: { file: string; at: number; value: Calibration } | null = null;

export function calibrationOf(file = calibrationFile()): Calibration {
  const now = Date.now();
  if (lastCalibration && lastCalibration.file === file && now - lastCalibration.at < 1000)
    return lastCalibration.value;
  const value = calibrationRead(file);
  lastCalibration = { file, at: now, value };
  return value;
}

function calibrationRead(file: string): Calibration {
  const shown = path.relative(process.cwd(), file) || file;
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return {
      note: { calibration: defaultRestoreCalibration, file: null, problem: null },
      key: 'default',
    };
  }
  const key = `${file}:${stat.mtimeMs}:${stat.size}`;
  const fallback = (problem: string): Calibration => ({
    note: { calibration: defaultRestoreCalibration, file: null, problem: `${shown}: ${problem}` },
    key: `${key}:default`,
  });
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return fallback(e instanceof SyntaxError ? `not JSON: ${e.message}` : (e as Error).message);
  }
  const parsed = RestoreCalibration.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fallback(
      `not a restore calibration: field ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return { note: { calibration: parsed.data, file: shown, problem: null }, key };
}

// ---- analysis ------------------------------------------------------------------------------------

interface Analysed {
  /** The prepared-snapshot key and the calibration it was analysed with. */
  key: string;
  calibration: string;
  outcome: Outcome;
  /** The chains view's tables of the snapshot, to link the rules a warning names. */
  tableKeys: string[];
  collectedAt: string;
}

function analyse(d: Dashboard, host: string, key: string, prepared: PreparedSnapshot): Analysed {
  const s = stateOf(d);
  const cal = calibrationOf();
  const known = s.analysed.get(host);
  if (known && known.key === key && known.calibration === cal.key) return known;
  const view = prepared.view(null)!;
  const outcome = view.memo(`warnings:${cal.key}`, (): Outcome => {
    try {
      return { result: snapshotWarnings(view.snapshot, { calibration: cal.note.calibration }) };
    } catch (e) {
      // One snapshot the analysis cannot handle must not take the page (or the server) down.
      console.error(`[packetlens] warnings of ${host}: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
      return {
        failed: `the analysis failed on this snapshot: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  });
  const entry: Analysed = {
    key,
    calibration: cal.key,
    outcome,
    tableKeys: view.index.tables.map((t) => t.key),
    collectedAt: view.snapshot.host.collectedAt,
  };
  s.analysed.set(host, entry);
  return entry;
}

/**
 * A host's analysis of its latest snapshot: from the cache, so a large host the prepared-snapshot
 * cache has dropped is not read again; else read and analysed now.
 */
function current(d: Dashboard, host: string): { entry: Analysed; source: ReturnType<typeof subjectSource> } {
  const source = subjectSource(d, { host, snapshot: null });
  const known = stateOf(d).analysed.get(host);
  if (known && known.key === source.key && known.calibration === calibrationOf().key)
    return { entry: known, source };
  const prepared = source.load();
  if (!prepared) throw new SubjectError(404, `the latest snapshot of ${host} is not in the store`);
  return { entry: analyse(d, host, source.key, prepared), source };
}

/**
 * Analyses a host's prepared latest snapshot and reads its history for growth (the warm-up calls
 * this after preparing it), so neither waits for the first page that needs them.
 */
export function warningsWarm(d: Dashboard, host: string, key: string, prepared: PreparedSnapshot): void {
  analyse(d, host, key, prepared);
  const summary = subjectSource(d, { host, snapshot: null }).summary;
  if (summary) historyOf(d, summary);
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Analyses the queued hosts one after the other in the background, yielding to requests between. */
function queueRun(d: Dashboard): void {
  const s = stateOf(d);
  if (s.running) return;
  s.running = true;
  void (async () => {
    try {
      for (const host of s.queue) {
        s.queue.delete(host);
        await pause();
        try {
          const source = subjectSource(d, { host, snapshot: null });
          const prepared = source.load();
          if (prepared) analyse(d, host, source.key, prepared);
        } catch {
          // A host removed or not collected meanwhile: nothing to analyse.
        }
      }
    } finally {
      s.running = false;
    }
  })();
}

function outcomeBadges(outcome: Outcome): WarningBadges {
  return 'failed' in outcome ? { state: 'failed', message: outcome.failed } : warningBadges(outcome.result);
}

/** The cached outcome of a host's current snapshot, or null (queued for the background). */
function cachedOutcome(d: Dashboard, host: string, key: string): Outcome | null {
  const s = stateOf(d);
  const known = s.analysed.get(host);
  if (known && known.key === key && known.calibration === calibrationOf().key) return known.outcome;
  s.queue.add(host);
  queueRun(d);
  return null;
}

/**
 * The fleet's badges of a stored host or an example (summary null): from the cache only, never
 * computed here; null when the host has no snapshot.
 */
export function badgesOf(d: Dashboard, host: string, summary: HostSummary | null): WarningBadges | null {
  if (summary && summary.lastSnapshotId === null) return null;
  const outcome = cachedOutcome(d, host, summary ? latestKey(summary) : host);
  return outcome ? outcomeBadges(outcome) : { state: 'pending' };
}

/**
 * The host overview's list, from the cache only: the overview never waits for an analysis (a
 * 170,000-rule host takes seconds). Null while the host is not analysed yet (it is queued).
 */
export function warningsBriefOf(d: Dashboard, host: string): HostWarningsBrief | null {
  const outcome = cachedOutcome(d, host, subjectSource(d, { host, snapshot: null }).key);
  if (!outcome) return null;
  if ('failed' in outcome) return { host, badges: outcomeBadges(outcome), warnings: [] };
  return hostWarningsBrief(host, outcome.result);
}

// ---- growth --------------------------------------------------------------------------------------

/** A store host's history, per-chain counts cut to the KUBE-SERVICES chains growth uses. */
function historyOf(d: Dashboard, h: HostSummary): GrowthPoint[] {
  const s = stateOf(d);
  const key = `${h.lastSeen}:${h.lastFailureAt}:${h.lastSnapshotId}`;
  const known = s.histories.get(h.name);
  if (known && known.key === key) return known.points;
  const points = d
    .store()
    .historyOf(h.name, { byChain: true })
    .map((p): GrowthPoint => ({
      collectedAt: p.collectedAt,
      runId: p.runId,
      rulesTotal: p.rulesTotal,
      services: p.services,
      endpoints: p.endpoints,
      byTable: p.byTable,
      longestChain: p.longestChain ? { rules: p.longestChain.rules } : null,
      byChain: Object.fromEntries(
        Object.entries(p.byChain ?? {}).filter(([k]) => k.endsWith('/nat/KUBE-SERVICES')),
      ),
    }));
  s.histories.set(h.name, { key, points });
  return points;
}

/**
 * An example has one snapshot: its one point. The examples are one capture of the lab
 * (scripts/capture-examples.ts), so they count as one run when grouped.
 */
function examplePoint(snap: Snapshot): GrowthPoint {
  const stats = snapshotStats(snap);
  return {
    collectedAt: snap.host.collectedAt,
    runId: 0,
    rulesTotal: stats.rules.total,
    ...kubeServiceCounts(kubeServices(snap)),
    byTable: stats.rules.byTable,
    longestChain: stats.longestChain ? { rules: stats.longestChain.rules } : null,
    byChain: Object.fromEntries(
      Object.entries(stats.rules.byChain).filter(([k]) => k.endsWith('/nat/KUBE-SERVICES')),
    ),
  };
}

// ---- clusters ------------------------------------------------------------------------------------

interface Member {
  name: string;
  labels: Record<string, string>;
  collectedAt: string | null;
  /** The prepared-snapshot key of its latest snapshot; null when it has none. */
  key: string | null;
  history: () => GrowthPoint[];
}

/** Collected hosts (kind `host`), or imported ones, or the examples. */
function members(d: Dashboard, scope: ClusterRef['scope'], kind: 'host' | 'import' = 'host'): Member[] {
  if (scope === 'examples')
    return [...d.examples.snapshots].map(([name, snap]) => ({
      name,
      labels: snap.host.labels,
      collectedAt: snap.host.collectedAt,
      key: name,
      history: () => [examplePoint(snap)],
    }));
  return d
    .store()
    .hostsList()
    .filter((h) => h.kind === kind)
    .map((h) => ({
      name: h.name,
      labels: h.labels,
      collectedAt: h.lastSeen,
      key: h.lastSnapshotId === null ? null : latestKey(h),
      history: () => historyOf(d, h),
    }));
}

function clusterMembers(d: Dashboard, scope: ClusterRef['scope'], name: string | null): Member[] {
  return members(d, scope).filter((m) => clusterName(m.labels) === name);
}

function clusterRef(scope: ClusterRef['scope'], name: string | null, hosts: readonly Member[]): ClusterRef {
  return { name, scope, hosts: hosts.map((h) => h.name) };
}

function memberBadges(d: Dashboard, m: Member): WarningBadges | null {
  if (m.key === null) return null;
  const outcome = cachedOutcome(d, m.name, m.key);
  return outcome ? outcomeBadges(outcome) : { state: 'pending' };
}

function clusterHost(d: Dashboard, m: Member) {
  return { name: m.name, collectedAt: m.collectedAt, badges: memberBadges(d, m) };
}

function groupGrowthView(scope: ClusterRef['scope'], name: string | null, hosts: readonly Member[]) {
  const subject =
    (name === null ? 'hosts without a cluster label' : `cluster=${name}`) +
    (scope === 'examples' ? ' (examples)' : '');
  return growthView(groupGrowth(subject, new Map(hosts.map((h) => [h.name, h.history()]))), true);
}

export function warningsIndexOf(d: Dashboard): WarningsIndex {
  const clusters = (['store', 'examples'] as const).flatMap((scope) =>
    clusterGroups(members(d, scope)).map((g) => ({
      ...clusterRef(scope, g.name, g.hosts),
      members: g.hosts.map((m) => clusterHost(d, m)),
    })),
  );
  return { clusters };
}

export function clusterWarningsOf(
  d: Dashboard,
  scope: ClusterRef['scope'],
  name: string | null,
): ClusterWarnings {
  const hosts = clusterMembers(d, scope, name);
  if (hosts.length === 0)
    throw new HttpError(
      404,
      name === null
        ? `every ${scope === 'examples' ? 'example' : 'host'} has a cluster label`
        : `no ${scope === 'examples' ? 'example' : 'host'} has the label cluster=${name}`,
    );
  const analysed: { host: string; result: WarningsResult }[] = [];
  for (const m of hosts) {
    const outcome = m.key === null ? null : cachedOutcome(d, m.name, m.key);
    if (outcome && 'result' in outcome) analysed.push({ host: m.name, result: outcome.result });
  }
  return {
    cluster: clusterRef(scope, name, hosts),
    hosts: hosts.map((m) => clusterHost(d, m)),
    warnings: clusterWarningList(analysed),
    calibration: calibrationOf().note,
    growth: groupGrowthView(scope, name, hosts),
  };
}

/** A host's warnings with the rules they name, its growth, and its cluster. */
export function hostWarningsOf(d: Dashboard, host: string): HostWarnings {
  const { entry, source } = current(d, host);
  const scope = source.source === 'example' ? 'examples' : 'store';
  const imported = source.summary?.kind === 'import';
  const me = members(d, scope, imported ? 'import' : 'host').find((m) => m.name === host);
  if (!me) throw new SubjectError(404, `no host named ${host}`);
  const cluster = clusterName(me.labels);
  const outcome = entry.outcome;
  return {
    host,
    source: source.source,
    collectedAt: entry.collectedAt,
    // An imported dump belongs to no cluster of collected hosts.
    cluster: imported ? null : clusterRef(scope, cluster, clusterMembers(d, scope, cluster)),
    analysis:
      'failed' in outcome
        ? { state: 'failed', message: outcome.failed }
        : hostAnalysis(outcome.result, new Set(entry.tableKeys)),
    calibration: calibrationOf().note,
    growth: growthView(hostGrowth(host, me.history()), false),
  };
}

export type WarningsPayload =
  | { view: 'host'; data: HostWarnings }
  | { view: 'cluster'; data: ClusterWarnings }
  | { view: 'index'; data: WarningsIndex };

/** What `/warnings` and `/api/warnings` show for a query; a host outside the cluster asked for is an error. */
export function warningsOf(d: Dashboard, q: WarningsQuery): WarningsPayload {
  if (q.host !== undefined) {
    const data = hostWarningsOf(d, q.host);
    const asked = q.cluster === undefined ? undefined : q.cluster || null;
    if (asked !== undefined && data.cluster?.name !== asked)
      throw new HttpError(
        404,
        `${q.host} is not in ${asked === null ? 'the group without a cluster label' : `cluster ${asked}`}: ` +
          (data.cluster === null
            ? 'it is an imported dump'
            : data.cluster.name === null
              ? 'it has no cluster label'
              : `its cluster label is ${data.cluster.name}`),
      );
    return { view: 'host', data };
  }
  if (q.cluster !== undefined)
    return { view: 'cluster', data: clusterWarningsOf(d, q.scope, q.cluster || null) };
  return { view: 'index', data: warningsIndexOf(d) };
}

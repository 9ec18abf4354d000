import { z } from 'zod';
import { snapshotDiff } from '../../lib/analyze/diff';
import { diffRefParse, diffRefText } from '../../lib/views/diff-ref';
import {
  diffServiceList,
  diffServicePage,
  serviceShares,
  type DiffServiceEntry,
  type DiffServicePage,
  type DiffServiceQuery,
  type ServiceShares,
} from '../../lib/views/diff-services';
import {
  diffChainPage,
  diffPrepare,
  diffRulePage,
  diffSetPage,
  diffSummary,
  diffWeight,
  type DiffChainPage,
  type DiffChainQuery,
  type DiffRulePage,
  type DiffRuleQuery,
  type DiffSetPage,
  type DiffSetQuery,
  type DiffSide,
  type DiffSummary,
  type PreparedDiff,
} from '../../lib/views/diff-view';
import {
  snapshotVersions,
  versionsShown,
  type DiffHost,
  type DiffOptions,
} from '../../lib/views/snapshot-versions';
import type { HostSummary } from '../store/store';
import { examplePrefix } from './examples';
import { HttpError } from './http';
import { flowsOf } from './nat';
import type { PreparedView } from './prepared-snapshots';
import type { Dashboard } from './runtime';
import { SubjectError, storeHost, subjectResolve } from './subjects';

/**
 * The Diff view's server side: each side resolved to a snapshot (a stored one by its ID, the latest,
 * an example, a pod of any of them), `snapshotDiff` computed once per pair and kept in a small LRU,
 * and the view's pages cut from it.
 */

/** The query string of /api/diff and of the view: `a` and `b` as `HOST[/POD][@SNAPSHOT]`. */
export const DiffParams = z.object({
  a: z.string().min(1, 'a: choose side A (HOST, HOST@SNAPSHOT or HOST/POD@SNAPSHOT)').max(500),
  b: z.string().min(1, 'b: choose side B (HOST, HOST@SNAPSHOT or HOST/POD@SNAPSHOT)').max(500),
});
export type DiffParams = z.infer<typeof DiffParams>;

interface Side {
  side: DiffSide;
  view: PreparedView;
  /** The prepared-snapshot key and pod: what identifies the content. */
  key: string;
}

/** What is cached per pair of contents. */
interface Pair {
  diff: PreparedDiff;
  weight: number;
  services: { services: DiffServiceEntry[]; sharesChanged: number } | null;
}

function sideOf(d: Dashboard, name: 'a' | 'b', ref: string): Side {
  const parsed = diffRefParse(ref);
  if ('error' in parsed) throw new HttpError(400, `${name}: ${parsed.error}`);
  const example = parsed.host.startsWith(examplePrefix);
  if (example && parsed.snapshot !== null)
    throw new HttpError(400, `${name}: an example has one snapshot and no snapshot ID: write ${parsed.host}`);
  const resolve = (subject: typeof parsed) => {
    try {
      return subjectResolve(d, subject);
    } catch (e) {
      if (e instanceof SubjectError) throw new SubjectError(404, `${name}: ${e.message}`);
      throw e;
    }
  };
  // The latest snapshot named by its ID is read through the host pages' own cache entry.
  const last = example ? null : (storeHost(d, parsed.host)?.lastSnapshotId ?? null);
  const r = resolve(parsed.snapshot === last ? { ...parsed, snapshot: null } : parsed);
  const id = parsed.snapshot ?? r.summary?.lastSnapshotId ?? null;
  const subject = { host: parsed.host, pod: parsed.pod, snapshot: id };
  return {
    side: {
      subject,
      ref: diffRefText(subject),
      collectedAt: r.prepared.snapshot.host.collectedAt,
      latest: example || id === r.summary?.lastSnapshotId,
      example,
    },
    view: r.view,
    key: `${r.key}#${parsed.pod ?? ''}`,
  };
}

const slot = Symbol.for('packetlens.diff-pairs');
type Global = typeof globalThis & { [slot]?: Map<string, Pair> };
/** Rule references the cached diffs may hold in all: two unrelated 10,000-service hosts make 170,000. */
const weightMax = 400_000;
const pairsMax = 8;

/** Both sides, resolved on every request (`latest` follows the store), and their pair's cache entry. */
function pairOf(d: Dashboard, p: DiffParams): { a: Side; b: Side; pair: Pair } {
  const a = sideOf(d, 'a', p.a);
  const b = sideOf(d, 'b', p.b);
  const pairs = ((globalThis as Global)[slot] ??= new Map());
  const key = `${a.key}\n${b.key}`;
  const known = pairs.get(key);
  if (known) {
    pairs.delete(key);
    pairs.set(key, known);
    return { a, b, pair: known };
  }
  const result = snapshotDiff(a.view.snapshot, b.view.snapshot);
  const pair: Pair = {
    diff: diffPrepare(result, a.view.index, b.view.index),
    weight: diffWeight(result),
    services: null,
  };
  pairs.set(key, pair);
  let total = 0;
  for (const x of pairs.values()) total += x.weight;
  for (const [k, x] of pairs) {
    if (pairs.size <= 1 || (total <= weightMax && pairs.size <= pairsMax)) break;
    pairs.delete(k);
    total -= x.weight;
  }
  return { a, b, pair };
}

function sharesOf(view: PreparedView): ServiceShares {
  return view.memo('diff-service-shares', () => serviceShares(flowsOf(view)));
}

export function diffSummaryOf(d: Dashboard, p: DiffParams): DiffSummary {
  const { a, b, pair } = pairOf(d, p);
  return diffSummary(pair.diff, a.side, b.side);
}

export function diffChainsOf(d: Dashboard, p: DiffParams, q: z.output<typeof DiffChainQuery>): DiffChainPage {
  return diffChainPage(pairOf(d, p).pair.diff, q);
}

export function diffRulesOf(d: Dashboard, p: DiffParams, q: z.output<typeof DiffRuleQuery>): DiffRulePage {
  const page = diffRulePage(pairOf(d, p).pair.diff, q);
  if (!page) throw new HttpError(404, `chain ${q.chain} is not #${q.n} of this diff: reload the page`);
  return page;
}

export function diffSetOf(d: Dashboard, p: DiffParams, q: z.output<typeof DiffSetQuery>): DiffSetPage {
  const page = diffSetPage(pairOf(d, p).pair.diff, q);
  if (!page) throw new HttpError(404, `set ${q.set} is not #${q.n} of this diff: reload the page`);
  return page;
}

export function diffServicesOf(
  d: Dashboard,
  p: DiffParams,
  q: z.output<typeof DiffServiceQuery>,
): DiffServicePage {
  const { a, b, pair } = pairOf(d, p);
  pair.services ??= diffServiceList(pair.diff.result, sharesOf(a.view), sharesOf(b.view));
  return diffServicePage(pair.services, q);
}

// History is read once per host and collection, as the fleet does.
const versionsCache = new Map<string, DiffHost>();

function storeHostOptions(d: Dashboard, h: HostSummary): DiffHost {
  const key = `${h.name}:${h.lastSeen}:${h.lastSnapshotId}`;
  const known = versionsCache.get(key);
  if (known) return known;
  const versions = snapshotVersions(d.store().historyOf(h.name)).reverse();
  const host: DiffHost = {
    name: h.name,
    source: 'store',
    pods: h.pods,
    versions: versions.slice(0, versionsShown),
    versionsTotal: versions.length,
  };
  for (const k of versionsCache.keys()) if (k.startsWith(`${h.name}:`)) versionsCache.delete(k);
  versionsCache.set(key, host);
  return host;
}

/** Every host with a snapshot, its pods and its versions, newest first; then the examples. */
export function diffOptionsOf(d: Dashboard): DiffOptions {
  const stored = d
    .store()
    .hostsList()
    .filter((h) => h.kind !== 'pod' && h.lastSnapshotId !== null)
    .map((h) => storeHostOptions(d, h));
  const examples = [...d.examples.snapshots].map(([name, snap]): DiffHost => ({
    name,
    source: 'example',
    pods: snap.pods.map((p) => p.host.name),
    versions: [],
    versionsTotal: 1,
  }));
  return { hosts: [...stored, ...examples] };
}

/** The host's previous version before `snapshot` (or before its latest), for "compare with previous". */
export function previousVersionOf(
  d: Dashboard,
  host: string,
  snapshot: number | null,
): { previous: number; current: number } | null {
  if (host.startsWith(examplePrefix)) return null;
  const h = d
    .store()
    .hostsList()
    .find((x) => x.name === host);
  if (!h || h.lastSnapshotId === null) return null;
  const versions = storeHostOptions(d, h).versions;
  const at = snapshot === null ? 0 : versions.findIndex((v) => v.snapshotId === snapshot);
  const current = versions[at];
  const previous = at >= 0 ? versions[at + 1] : undefined;
  return current && previous ? { previous: previous.snapshotId, current: current.snapshotId } : null;
}

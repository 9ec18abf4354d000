import type { Snapshot } from '../../lib/model/snapshot';
import { chainGraph } from '../../lib/views/chain-graph';
import { rulesetIndex, type RulesetIndex } from '../../lib/views/ruleset-index';
import { searchIndex, type SearchIndex } from '../../lib/views/rule-search';

/**
 * Snapshots ready for the views, kept in memory: reading a 170,000-rule snapshot back from the store
 * takes seconds, indexing it for search one more, and every page of the chains view needs it. An LRU
 * bounded by rule count keeps the hosts people look at and drops the rest.
 */

export interface PreparedView {
  snapshot: Snapshot;
  index: RulesetIndex;
  /** Built on first search (or by the warm-up), then kept. */
  search(): SearchIndex;
  /** A payload derived from this view alone, computed once (the host overview). */
  memo<T>(key: string, make: () => T): T;
}

export interface PreparedSnapshot {
  /** The host's snapshot, pods inside. */
  snapshot: Snapshot;
  /** The host (`''`) or one of its pods, indexed on first use. */
  view(pod: string | null): PreparedView | null;
  /** Builds every index, one step per `next()`, so a warm-up can yield to requests in between. */
  warm(): Generator<void, void, undefined>;
}

export function preparedSnapshot(snapshot: Snapshot): PreparedSnapshot {
  const views = new Map<string, PreparedView>();
  const view = (pod: string | null): PreparedView | null => {
    const key = pod ?? '';
    const known = views.get(key);
    if (known) return known;
    const snap = pod === null ? snapshot : snapshot.pods.find((p) => p.host.name === pod);
    if (!snap) return null;
    const index = rulesetIndex(snap);
    let search: SearchIndex | null = null;
    const memos = new Map<string, unknown>();
    const made: PreparedView = {
      snapshot: snap,
      index,
      search: () => (search ??= searchIndex(index)),
      memo: <T>(key: string, make: () => T): T => {
        if (!memos.has(key)) memos.set(key, make());
        return memos.get(key) as T;
      },
    };
    views.set(key, made);
    return made;
  };
  return {
    snapshot,
    view,
    *warm() {
      for (const pod of [null, ...snapshot.pods.map((p) => p.host.name)]) {
        const v = view(pod);
        yield;
        if (!v) continue;
        v.search();
        yield;
        // The graph's per-table arrays are memoized by chainGraph itself.
        for (const table of v.index.tables) {
          chainGraph(table);
          yield;
        }
      }
    },
  };
}

/** Counts rules of a snapshot and its pods, the cache's measure of size. */
function weight(snapshot: Snapshot): number {
  let n = 0;
  const add = (s: Snapshot) => {
    for (const d of s.netfilter.iptables)
      for (const t of d.tables) for (const c of t.chains) n += c.rules.length;
    for (const t of s.netfilter.nftables?.tables ?? []) for (const c of t.chains) n += c.rules.length;
  };
  add(snapshot);
  snapshot.pods.forEach(add);
  return n + 1;
}

export interface PreparedCache {
  get(key: string, load: () => Snapshot | null): PreparedSnapshot | null;
  has(key: string): boolean;
}

/** An LRU keeping at most `maxRules` rules (and always the most recent entry, however large). */
export function preparedCache(maxRules = 600_000, maxEntries = 16): PreparedCache {
  const entries = new Map<string, { prepared: PreparedSnapshot; weight: number }>();
  let total = 0;
  return {
    has: (key) => entries.has(key),
    get(key, load) {
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return hit.prepared;
      }
      const snapshot = load();
      if (!snapshot) return null;
      const entry = { prepared: preparedSnapshot(snapshot), weight: weight(snapshot) };
      entries.set(key, entry);
      total += entry.weight;
      for (const [k, e] of entries) {
        if (entries.size <= 1 || (total <= maxRules && entries.size <= maxEntries)) break;
        entries.delete(k);
        total -= e.weight;
      }
      return entry.prepared;
    },
  };
}

import { podSummary } from '../../lib/views/host-overview';
import type { Dashboard } from './runtime';
import { subjectSource } from './subjects';
import { warningsWarm } from './warnings';

/**
 * Prepares the latest snapshot of every host (and every example) one after the other, smallest
 * first and yielding to requests between each step (read, index, search index, graphs, warnings), so
 * people open a warm dashboard and a small host is not kept waiting behind a big one. One warm-up at a
 * time; a request for another while one runs is served by running once more at its end.
 */

const state = new WeakMap<Dashboard, { running: boolean; again: boolean }>();

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

export function warmAll(d: Dashboard): void {
  let s = state.get(d);
  if (!s) state.set(d, (s = { running: false, again: false }));
  if (s.running) {
    s.again = true;
    return;
  }
  s.running = true;
  const run = async () => {
    do {
      s.again = false;
      const names = [...d.examples.snapshots.keys()];
      try {
        const store = d.store();
        const sized = store
          .hostsList()
          .filter((h) => h.lastSnapshotId !== null)
          .map((h) => ({ name: h.name, rules: store.historyOf(h.name).at(-1)?.rulesTotal ?? 0 }));
        names.push(...sized.sort((a, b) => a.rules - b.rules).map((h) => h.name));
      } catch {
        // A store that cannot be opened is reported by the pages that need it.
      }
      for (const host of names) {
        await pause();
        try {
          const source = subjectSource(d, { host, snapshot: null });
          const prepared = source.load();
          if (!prepared) continue;
          d.podSummaries.set(source.key, prepared.snapshot.pods.map(podSummary));
          for (const step = prepared.warm(); !step.next().done;) await pause();
          warningsWarm(d, host, source.key, prepared);
        } catch {
          // A host removed meanwhile: nothing to warm.
        }
      }
    } while (s.again);
    s.running = false;
  };
  void run();
}

import { z } from 'zod';
import type { Snapshot } from '../model/snapshot';
import { Subject, TableSummary, tableSummary } from './host-overview';
import type { IndexedTable, RulesetIndex } from './ruleset-index';

/** What the chains view needs before it asks for a graph or a page: which tables there are. */

export const ChainsContext = z.object({
  subject: Subject,
  host: z.object({ name: z.string(), kind: z.string(), example: z.boolean(), collectedAt: z.string() }),
  tables: z.array(TableSummary),
  pods: z.array(z.string()),
});
export type ChainsContext = z.infer<typeof ChainsContext>;

export function chainsContext(
  subject: Subject,
  host: Snapshot,
  index: RulesetIndex,
  view: Snapshot,
): ChainsContext {
  return {
    subject,
    host: {
      name: view.host.name,
      kind: view.host.kind,
      example: view.host.example,
      collectedAt: view.host.collectedAt,
    },
    tables: index.tables.map(tableSummary),
    pods: host.pods.map((p) => p.host.name),
  };
}

/** The table a chains view opens on: the one holding most rules (nat on a kube-proxy node). */
export function tableDefault(index: RulesetIndex): IndexedTable | null {
  let best: IndexedTable | null = null;
  let most = -1;
  for (const t of index.tables) {
    const rules = t.chains.reduce((n, c) => n + c.rules.length, 0);
    if (rules > most) [best, most] = [t, rules];
  }
  return best;
}

/** The chain a table opens on: its first built-in or base chain with rules, else its first chain. */
export function chainDefault(table: IndexedTable): string | null {
  return (table.chains.find((c) => c.builtin && c.rules.length > 0) ?? table.chains[0])?.name ?? null;
}

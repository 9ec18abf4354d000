import { z } from 'zod';
import type { TraceSelector } from '../../lib/kernel-trace/trace-table';
import {
  isTraceTable,
  traceTableName,
  traceTableOwner,
  traceTableScript,
} from '../../lib/kernel-trace/trace-table';
import { processAlive } from '../lab/leftovers';
import { netnsRun } from '../netns/netns';

/**
 * Turns `nft monitor trace` on and off in a namespace by adding and deleting one table of ours
 * (lib/kernel-trace/trace-table.ts). Nothing else in the namespace's ruleset is touched, so deleting
 * the table leaves it exactly as before.
 */

export class TraceTableError extends Error {
  override name = 'TraceTableError';
}

/** This process's trace table name: tables of processes that died can be told apart and swept. */
export function traceTable(): string {
  return traceTableName(process.pid);
}

async function nft(netns: string, args: readonly string[], input?: string): Promise<string> {
  const r = await netnsRun(netns, 'nft', args, input);
  if (r.code !== 0) {
    throw new TraceTableError(`${netns}: nft ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** Adds (or replaces) the trace table; `selectors` choose the packets traced, 'all' traces every one. */
export async function traceEnable(
  netns: string,
  selectors: readonly TraceSelector[] = ['all'],
): Promise<string> {
  const name = traceTable();
  await nft(netns, ['-f', '-'], traceTableScript(name, selectors));
  return name;
}

/** Deletes this process's trace table; a namespace without it is left as it is. */
export async function traceDisable(netns: string): Promise<void> {
  const name = traceTable();
  if ((await traceTables(netns)).includes(name)) await nft(netns, ['delete', 'table', 'inet', name]);
}

const TableList = z.object({
  nftables: z.array(z.record(z.string(), z.unknown())),
});
const TableEntry = z.object({ table: z.object({ family: z.string(), name: z.string() }) });

/** Names of the inet trace tables in the namespace, ours and others'. */
export async function traceTables(netns: string): Promise<string[]> {
  const list = TableList.parse(JSON.parse(await nft(netns, ['-j', 'list', 'tables'])));
  return list.nftables
    .map((e) => TableEntry.safeParse(e))
    .flatMap((e) =>
      e.success && e.data.table.family === 'inet' && isTraceTable(e.data.table.name)
        ? [e.data.table.name]
        : [],
    );
}

/** Deletes trace tables whose owner process is gone (a crashed run); returns their names. */
export async function traceSweep(netns: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await traceTables(netns)) {
    const owner = traceTableOwner(name);
    if (owner !== null && processAlive(owner)) continue;
    await nft(netns, ['delete', 'table', 'inet', name]);
    removed.push(name);
  }
  return removed;
}

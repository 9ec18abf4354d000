import { z } from 'zod';
import type { Snapshot } from '../../lib/model/snapshot';
import { TraceProto, TraceQuery } from '../../lib/simulate/query';
import type { TraceResult } from '../../lib/simulate/result';
import type { Simulator } from '../../lib/simulate/simulate';
import { simulatorBuild, TraceError } from '../../lib/simulate/simulate';
import type { TraceOptions } from '../../lib/simulate/trace-options';
import { traceOptions } from '../../lib/simulate/trace-options';
import { examplePrefix } from './examples';
import { HttpError } from './http';
import type { Dashboard } from './runtime';
import { subjectSource } from './subjects';

/**
 * Life of a packet for the dashboard: the simulator over a group of hosts (the collected ones, or
 * the examples), built once per set of snapshots and reused while none of them changes.
 */

export const TraceScope = z.enum(['store', 'examples']);
export type TraceScope = z.infer<typeof TraceScope>;

/** The query string of /api/trace: also the shareable link of the view. */
export const TraceParams = z.object({
  scope: TraceScope.default('store'),
  from: z.string().min(1, 'choose where the packet starts'),
  /** pod, host (sent by the host) or iif (received on `iface` of `from`). */
  entry: z.enum(['pod', 'host', 'iif']).default('pod'),
  iface: z.string().optional(),
  src: z.string().optional(),
  sport: z.coerce.number().int().min(0).max(65535).optional(),
  dst: z.string().min(1, 'choose a destination'),
  dport: z.coerce.number().int().min(0).max(65535).optional(),
  proto: TraceProto.default('tcp'),
  state: z.enum(['new', 'established']).default('new'),
  newClient: z.enum(['0', '1']).default('0'),
});
export type TraceParams = z.infer<typeof TraceParams>;

interface Group {
  key: string;
  simulator: Simulator;
  options: TraceOptions;
}

const slot = Symbol.for('packetlens.trace-groups');
type Global = typeof globalThis & { [slot]?: Map<TraceScope, Group> };

/** The snapshots of a scope, by cache key; loaded only when the simulator has to be rebuilt. */
function sourcesOf(d: Dashboard, scope: TraceScope): { key: string; load: () => Snapshot[] } {
  if (scope === 'examples') {
    const snaps = [...d.examples.snapshots.entries()].sort(([a], [b]) => a.localeCompare(b));
    return { key: snaps.map(([k]) => k).join('\n'), load: () => snaps.map(([, s]) => s) };
  }
  const sources = d
    .store()
    .hostsList()
    .filter((h) => !h.name.startsWith(examplePrefix) && h.lastSnapshotId !== null)
    .map((h) => subjectSource(d, { host: h.name, snapshot: null }));
  return {
    key: sources.map((s) => s.key).join('\n'),
    load: () => sources.flatMap((s) => s.load()?.snapshot ?? []),
  };
}

function group(d: Dashboard, scope: TraceScope): Group {
  const g = globalThis as Global;
  const groups = (g[slot] ??= new Map());
  const { key, load } = sourcesOf(d, scope);
  const cached = groups.get(scope);
  if (cached && cached.key === key) return cached;
  const snapshots = load();
  const fresh = { key, simulator: simulatorBuild(snapshots), options: traceOptions(snapshots) };
  groups.set(scope, fresh);
  return fresh;
}

export function traceOptionsOf(d: Dashboard, scope: TraceScope): TraceOptions {
  return group(d, scope).options;
}

export function traceRun(d: Dashboard, p: TraceParams): TraceResult {
  const entry =
    p.entry === 'pod'
      ? { kind: 'pod' as const, pod: p.from }
      : p.entry === 'iif'
        ? { kind: 'iif' as const, host: p.from, iface: p.iface ?? '' }
        : { kind: 'local' as const, host: p.from };
  if (p.entry === 'iif' && !p.iface)
    throw new HttpError(400, 'iface: choose the interface the packet arrives on');
  const query = TraceQuery.safeParse({
    src: p.src || null,
    sport: p.sport ?? null,
    dst: p.dst,
    dport: p.dport ?? null,
    proto: p.proto,
    entry,
    state: p.state,
    mark: 0,
    reply: true,
    assumeNewClient: p.newClient === '1',
  });
  if (!query.success) throw new HttpError(400, query.error.issues[0]?.message ?? 'invalid query');
  try {
    return group(d, p.scope).simulator.trace(query.data);
  } catch (e) {
    if (e instanceof TraceError) throw new HttpError(422, e.message);
    throw e;
  }
}

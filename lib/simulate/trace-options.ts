import { z } from 'zod';
import type { Snapshot } from '../model/snapshot';
import { namespacesOf } from './namespace';
import { servicesOf } from './service-resolve';

/** What a trace can start from and go to in a set of snapshots: for the dashboard's form. */

const TraceSource = z.object({
  kind: z.enum(['host', 'pod']),
  /** The name `entry` takes: a host's name, or a pod's namespace name. */
  name: z.string(),
  /** As steps show it: `host` or `host/pod`. */
  label: z.string(),
  addresses: z.array(z.string()),
  interfaces: z.array(z.string()),
});

const TraceServiceOption = z.object({
  name: z.string(),
  ip: z.string(),
  port: z.number().int(),
  proto: z.string(),
});

export const TraceOptions = z.object({
  sources: z.array(TraceSource),
  services: z.array(TraceServiceOption),
});
export type TraceOptions = z.infer<typeof TraceOptions>;

export function traceOptions(snapshots: readonly Snapshot[]): TraceOptions {
  const sources = namespacesOf(snapshots).map((ns) => ({
    kind: ns.isPod ? ('pod' as const) : ('host' as const),
    name: ns.isPod ? (ns.snapshot.host.netns?.name ?? ns.snapshot.host.name) : ns.name,
    label: ns.name,
    addresses: ns.addresses.filter((a) => a.scope === 'global').map((a) => a.local),
    interfaces: [...ns.interfaces.keys()].filter((i) => i !== 'lo'),
  }));
  const seen = new Set<string>();
  const services = servicesOf(snapshots)
    .filter((s) => !seen.has(s.name) && seen.add(s.name))
    .map((s) => ({ name: s.name, ip: s.ip, port: s.port, proto: s.proto }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { sources, services };
}

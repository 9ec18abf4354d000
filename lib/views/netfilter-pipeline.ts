import { z } from 'zod';
import type { IptTableName } from '../model/iptables';
import { nftPriorityText } from '../nftables/priority';
import type { NftFamily } from '../model/nftables';
import type { RulesetIndex } from './ruleset-index';

/**
 * The netfilter hooks as the kernel runs them for one address family, with every base chain that
 * sits on each hook in priority order: iptables tables at their fixed priorities and native nft base
 * chains at their own (inet chains run for IPv4 and IPv6 alike). Lower priority runs first; every
 * chain's verdict counts, an accept in one does not skip the next.
 */

export const ipHooks = ['prerouting', 'input', 'forward', 'output', 'postrouting'] as const;
export type IpHook = (typeof ipHooks)[number];

/** Where each iptables table registers, and at which priority (NF_IP_PRI_*). */
const iptablesPriorities: Record<IptTableName, Partial<Record<IpHook, number>>> = {
  raw: { prerouting: -300, output: -300 },
  mangle: { prerouting: -150, input: -150, forward: -150, output: -150, postrouting: -150 },
  nat: { prerouting: -100, input: 100, output: -100, postrouting: 100 },
  filter: { input: 0, forward: 0, output: 0 },
  security: { input: 50, forward: 50, output: 50 },
};

export const PipelineEntry = z.object({
  engine: z.enum(['iptables', 'nft']),
  /** Table key (`ipt:ip/nat`, `nft:inet/filter`) for links to the chains view. */
  table: z.string(),
  family: z.string(),
  tableName: z.string(),
  chain: z.string(),
  hook: z.string(),
  priority: z.number().int(),
  /** The priority as nft names it (`dstnat`, `filter + 10`) or the bare number. */
  priorityText: z.string(),
  /** nft chain type (`filter`, `nat`, `route`); iptables tables are named by the table. */
  type: z.string().nullable(),
  policy: z.string().nullable(),
  rules: z.number().int().nonnegative(),
  /** iptables backend, when the host runs both. */
  backend: z.string().nullable(),
  /** Devices of a netdev or ingress chain. */
  devices: z.array(z.string()),
});
export type PipelineEntry = z.infer<typeof PipelineEntry>;

export const PipelineHook = z.object({ hook: z.string(), entries: z.array(PipelineEntry) });
export type PipelineHook = z.infer<typeof PipelineHook>;

export const Pipeline = z.object({
  family: z.enum(['ip', 'ip6']),
  hooks: z.array(PipelineHook),
  /** Base chains outside the five IP hooks: ingress/egress, bridge, arp and netdev families. */
  other: z.array(PipelineEntry),
});
export type Pipeline = z.infer<typeof Pipeline>;

export function netfilterPipeline(index: RulesetIndex, family: 'ip' | 'ip6'): Pipeline {
  const byHook = new Map<string, PipelineEntry[]>(ipHooks.map((h) => [h, []]));
  const other: PipelineEntry[] = [];
  const bothBackends =
    new Set(index.tables.filter((t) => t.engine === 'iptables' && t.family === family).map((t) => t.backend))
      .size > 1;

  for (const table of index.tables) {
    if (table.engine === 'iptables') {
      if (table.family !== family) continue;
      const priorities = iptablesPriorities[table.name as IptTableName] ?? {};
      for (const hook of ipHooks) {
        const priority = priorities[hook];
        const chain = table.chainByName.get(hook.toUpperCase());
        if (priority === undefined || !chain) continue;
        byHook.get(hook)!.push({
          engine: 'iptables',
          table: table.key,
          family: table.family,
          tableName: table.name,
          chain: chain.name,
          hook,
          priority,
          priorityText: nftPriorityText(family, hook, priority),
          type: null,
          policy: chain.policy,
          rules: chain.rules.length,
          backend: bothBackends ? table.backend : null,
          devices: [],
        });
      }
      continue;
    }
    for (const chain of table.chains) {
      const base = chain.base;
      if (!base) continue;
      const entry: PipelineEntry = {
        engine: 'nft',
        table: table.key,
        family: table.family,
        tableName: table.name,
        chain: chain.name,
        hook: base.hook,
        priority: base.priority,
        priorityText: nftPriorityText(table.family as NftFamily, base.hook, base.priority),
        type: base.type,
        policy: base.policy,
        rules: chain.rules.length,
        backend: null,
        devices: base.devices,
      };
      const ipFamily = table.family === family || table.family === 'inet';
      const hookEntries = byHook.get(base.hook);
      if (ipFamily && hookEntries) hookEntries.push(entry);
      else if (ipFamily || !['ip', 'ip6', 'inet'].includes(table.family)) other.push(entry);
    }
  }

  // Equal priorities run in registration order, which no dump records: iptables first is a guess
  // only for display, and the diagram marks ties.
  const order = (a: PipelineEntry, b: PipelineEntry) =>
    a.priority - b.priority || (a.engine === b.engine ? 0 : a.engine === 'iptables' ? -1 : 1);
  return {
    family,
    hooks: ipHooks.map((hook) => ({ hook, entries: byHook.get(hook)!.sort(order) })),
    other: other.sort(
      (a, b) => a.family.localeCompare(b.family) || a.hook.localeCompare(b.hook) || order(a, b),
    ),
  };
}

/** Entries that share their priority with another entry of the same hook: their order is not known. */
export function pipelineTies(entries: readonly PipelineEntry[]): Set<PipelineEntry> {
  const ties = new Set<PipelineEntry>();
  entries.forEach((e, i) => {
    const next = entries[i + 1];
    if (next && next.priority === e.priority) {
      ties.add(e);
      ties.add(next);
    }
  });
  return ties;
}

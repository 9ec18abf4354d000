import type { IpFamily } from '../model/common';
import type { IptTableName } from '../model/iptables';
import type { NftTable } from '../model/nftables';
import type { Snapshot } from '../model/snapshot';
import type { RuleSet } from './chain-walk';
import type { EvalOptions, IptTableProgram } from './ipt-ruleset';
import { iptRuleSet, iptTableProgram } from './ipt-ruleset';
import type { Namespace } from './namespace';
import type { NftTableProgram } from './nft-ruleset';
import { nftRuleSet, nftTableProgram } from './nft-ruleset';

/**
 * Which base chains run at each hook, in the kernel's order. iptables tables are base chains at
 * fixed priorities; native nft base chains sit among them by their own priority. NAT chains are
 * different: the nat core registers once per hook (dstnat -100 on PREROUTING/OUTPUT, srcnat 100 on
 * POSTROUTING/INPUT) and runs every nat-type chain of that hook from there, in their own priority
 * order, until one of them sets up the binding.
 */

export const hooks = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const;
export type Hook = (typeof hooks)[number];

const iptPriority: Readonly<Record<IptTableName, number>> = {
  raw: -300,
  mangle: -150,
  nat: -100,
  filter: 0,
  security: 50,
};

/** Where the nat core sits on each hook, and which address it rewrites there. */
export const natCore: Readonly<Record<Hook, { priority: number; manip: 'dst' | 'src' } | null>> = {
  PREROUTING: { priority: -100, manip: 'dst' },
  OUTPUT: { priority: -100, manip: 'dst' },
  POSTROUTING: { priority: 100, manip: 'src' },
  INPUT: { priority: 100, manip: 'src' },
  FORWARD: null,
};

export interface HookEntry {
  /** The position the kernel runs it at (the nat core's for nat chains). */
  priority: number;
  /** The chain's own priority (orders nat chains among themselves). */
  ownPriority: number;
  nat: boolean;
  source: 'iptables' | 'iptables-legacy' | 'nft';
  family: string;
  table: string;
  chain: string;
  /** Built-in chain or base chain policy; null when the dump does not state it. */
  policy: 'accept' | 'drop' | null;
  ruleSet(ns: Namespace, hook: Hook, opts: EvalOptions): RuleSet<unknown, unknown>;
  /**
   * Order at equal priority. The kernel runs the earlier registered base chain first, and no listing
   * shows registration order (`nft list hooks` would; table and chain handles do not: a table made
   * early can get its base chain late). Shown: native nft tables, then iptables-nft, then
   * iptables-legacy, each by creation order; steps of such a tie say so.
   */
  order: number;
  /** Said on every step of this chain (e.g. that iptables-legacy tables are invisible to nft). */
  note: string | null;
}

export interface NetfilterProgram {
  entries: ReadonlyMap<string, readonly HookEntry[]>;
}

function key(family: IpFamily, hook: Hook): string {
  return `${family}:${hook}`;
}

function add(map: Map<string, HookEntry[]>, family: IpFamily, hook: Hook, e: HookEntry): void {
  const k = key(family, hook);
  const list = map.get(k);
  if (list) list.push(e);
  else map.set(k, [e]);
}

/**
 * The iptables-nft table as `nft -j list ruleset` shows it. iptables-nft creates a built-in chain
 * only when something needs it, while iptables-save prints every built-in chain of the table: the
 * nft listing tells which are registered. Null when that cannot be told (legacy, or no listing):
 * then every chain the dump declares counts.
 */
function managedTable(snapshot: Snapshot, family: IpFamily, table: string, backend: string): NftTable | null {
  if (backend === 'legacy') return null;
  return (
    snapshot.netfilter.nftables?.tables.find(
      (t) => t.managedBy === 'iptables-nft' && t.family === family && t.name === table,
    ) ?? null
  );
}

/** Creation order of a base chain: its table's handle, then its own. */
function registration(table: NftTable, chain: string): number {
  const handle = table.chains.find((c) => c.name === chain)?.handle ?? 0;
  return table.handle * 1_000_000 + handle;
}

export function netfilterProgram(snapshot: Snapshot): NetfilterProgram {
  const map = new Map<string, HookEntry[]>();
  const nftManagedFamilies = new Set<string>();
  for (const dump of snapshot.netfilter.iptables) {
    if (dump.backend !== 'legacy') nftManagedFamilies.add(dump.family);
    for (const table of dump.tables) {
      const program: IptTableProgram = iptTableProgram(table, dump.family);
      const managed = managedTable(snapshot, dump.family, table.name, dump.backend);
      const present = managed
        ? new Set(managed.chains.filter((c) => c.base !== null).map((c) => c.name))
        : null;
      for (const chain of table.chains) {
        if (!chain.builtin || !(hooks as readonly string[]).includes(chain.name)) continue;
        if (present && !present.has(chain.name)) continue;
        const hook = chain.name as Hook;
        const nat = table.name === 'nat';
        const own = nat ? natCore[hook]!.priority : iptPriority[table.name];
        add(map, dump.family, hook, {
          priority: nat ? natCore[hook]!.priority : own,
          ownPriority: own,
          nat,
          source: dump.backend === 'legacy' ? 'iptables-legacy' : 'iptables',
          family: dump.family,
          table: table.name,
          chain: chain.name,
          policy: chain.policy === null ? null : chain.policy === 'ACCEPT' ? 'accept' : 'drop',
          ruleSet: (ns, h, opts) => iptRuleSet(program, ns, h, opts) as RuleSet<unknown, unknown>,
          order:
            (dump.backend === 'legacy' ? 2e12 : 1e12) + (managed ? registration(managed, chain.name) : 0),
          note:
            dump.backend === 'legacy'
              ? 'iptables-legacy (x_tables): runs beside nft tables, and nft list ruleset does not show it'
              : null,
        });
      }
    }
  }
  for (const table of snapshot.netfilter.nftables?.tables ?? []) {
    // iptables-nft tables are walked through the iptables dump, which has the exact rule text.
    if (
      table.managedBy === 'iptables-nft' &&
      (table.family === 'ip' || table.family === 'ip6') &&
      nftManagedFamilies.has(table.family)
    )
      continue;
    const families: IpFamily[] =
      table.family === 'inet'
        ? ['ip', 'ip6']
        : table.family === 'ip' || table.family === 'ip6'
          ? [table.family]
          : [];
    if (families.length === 0) continue;
    let program: NftTableProgram | null = null;
    for (const chain of table.chains) {
      const base = chain.base;
      if (!base) continue;
      const hook = base.hook.toUpperCase() as Hook;
      if (!(hooks as readonly string[]).includes(hook)) continue;
      program ??= nftTableProgram(table);
      const p = program;
      const nat = base.type === 'nat';
      const core = natCore[hook];
      for (const family of families)
        add(map, family, hook, {
          priority: nat && core ? core.priority : base.priority,
          ownPriority: base.priority,
          nat,
          source: 'nft',
          family: table.family,
          table: table.name,
          chain: chain.name,
          policy: base.policy,
          ruleSet: (ns) => nftRuleSet(p, ns) as RuleSet<unknown, unknown>,
          order: registration(table, chain.name),
          note: null,
        });
    }
  }
  for (const list of map.values()) {
    list.sort((a, b) => a.priority - b.priority || a.ownPriority - b.ownPriority || a.order - b.order);
    for (const e of list) {
      const tied = list.filter(
        (o) => o !== e && o.priority === e.priority && o.ownPriority === e.ownPriority && o.table !== e.table,
      );
      if (tied.length > 0)
        e.note ??= `same priority (${e.ownPriority}) as ${tied.map((o) => `${o.table} ${o.chain}`).join(', ')}: the kernel runs them in registration order, which no listing shows`;
    }
  }
  return { entries: map };
}

export function hookEntries(program: NetfilterProgram, family: IpFamily, hook: Hook): readonly HookEntry[] {
  return program.entries.get(key(family, hook)) ?? [];
}

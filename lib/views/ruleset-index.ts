import type { Counters } from '../model/common';
import type { IptBackend, IptChain, IptRule, IptablesDump } from '../model/iptables';
import type { NftBaseChain, NftExpr, NftRule, NftSet, NftTable } from '../model/nftables';
import type { Snapshot } from '../model/snapshot';
import { nftRuleText } from '../nftables/render-text';

/**
 * One shape for the rule tables of a snapshot, iptables and native nft alike, for the dashboard's
 * chain graph, rule pages and search. Built once per snapshot on the server; the browser only ever
 * gets pages of it.
 */

/** A chain a rule may continue in: a jump or goto, directly or through a verdict map. */
export interface RuleTarget {
  chain: string;
  kind: 'jump' | 'goto';
  /** The named verdict map (`@service-ips`) or `anonymous` for `vmap { … }`; null for a plain verdict. */
  via: string | null;
}

export interface IndexedRule {
  /** 1-based position in its chain. */
  index: number;
  /** Line in the iptables-save dump; null for nft rules, which have handles instead. */
  line: number | null;
  /** nft rule handle; null for iptables rules. */
  handle: number | null;
  /** Exactly as iptables-save wrote it, or as `nft list ruleset` prints it. */
  text: string;
  counters: Counters | null;
  targets: RuleTarget[];
  /** The rule's comments (`-m comment --comment`, nft `comment`), joined by a newline; null for none. */
  comment: string | null;
}

export interface IndexedChain {
  name: string;
  /** iptables built-in chain (PREROUTING, …) or nft base chain. */
  builtin: boolean;
  /** iptables built-in chain policy, or the nft base chain's policy. */
  policy: string | null;
  base: NftBaseChain | null;
  counters: Counters | null;
  /** iptables: line of the `:CHAIN` declaration (0 when undeclared); nft: null. */
  line: number | null;
  comment: string | null;
  rules: IndexedRule[];
}

export interface IndexedTable {
  /** `ipt:ip/nat`, `ipt:ip/nat@legacy`, `nft:inet/kube-proxy`: stable within a snapshot, used in URLs. */
  key: string;
  engine: 'iptables' | 'nft';
  family: string;
  name: string;
  /** iptables backend of the dump; null for native nft tables. */
  backend: IptBackend | null;
  chains: IndexedChain[];
  chainByName: ReadonlyMap<string, IndexedChain>;
  /** Named sets and maps (native nft only). */
  sets: NftSet[];
}

export interface RulesetIndex {
  tables: IndexedTable[];
  tableByKey: ReadonlyMap<string, IndexedTable>;
}

/** The key of an iptables table; `@legacy` marks the legacy backend when the nft one holds the same family. */
export function iptTableKey(family: string, table: string, legacy: boolean): string {
  return `ipt:${family}/${table}${legacy ? '@legacy' : ''}`;
}

export function nftTableKey(family: string, table: string): string {
  return `nft:${family}/${table}`;
}

export function rulesetIndex(snap: Snapshot): RulesetIndex {
  const tables: IndexedTable[] = [];
  const dumps = snap.netfilter.iptables;
  for (const dump of dumps) {
    // The same family from both backends: the legacy one is told apart, as snapshotStats does.
    const legacy = dump.backend === 'legacy' && dumps.some((d) => d !== dump && d.family === dump.family);
    tables.push(...iptTables(dump, legacy));
  }
  for (const table of snap.netfilter.nftables?.tables ?? []) {
    // iptables-nft tables are shown from the iptables dump, in iptables' own words.
    if (table.managedBy === 'iptables-nft') continue;
    tables.push(nftTable(table));
  }
  return { tables, tableByKey: new Map(tables.map((t) => [t.key, t])) };
}

function iptTables(dump: IptablesDump, legacy: boolean): IndexedTable[] {
  return dump.tables.map((table) => {
    const chains = table.chains.map(iptChain);
    return {
      key: iptTableKey(dump.family, table.name, legacy),
      engine: 'iptables',
      family: dump.family,
      name: table.name,
      backend: dump.backend,
      chains,
      chainByName: new Map(chains.map((c) => [c.name, c])),
      sets: [],
    };
  });
}

function iptChain(chain: IptChain): IndexedChain {
  return {
    name: chain.name,
    builtin: chain.builtin,
    policy: chain.policy,
    base: null,
    counters: chain.counters,
    line: chain.line,
    comment: null,
    rules: chain.rules.map(iptRule),
  };
}

function iptRule(rule: IptRule): IndexedRule {
  const target = rule.target;
  const targets: RuleTarget[] =
    target && 'chain' in target ? [{ chain: target.name, kind: rule.goto ? 'goto' : 'jump', via: null }] : [];
  const comments: string[] = [];
  for (const m of rule.matches)
    if (m.name === 'comment' && 'options' in m) comments.push(m.options.comment?.value ?? '');
  return {
    index: rule.index,
    line: rule.line,
    handle: null,
    text: rule.text,
    counters: rule.counters,
    targets,
    comment: comments.length > 0 ? comments.join('\n') : null,
  };
}

function nftTable(table: NftTable): IndexedTable {
  const sets = new Map(table.sets.map((s) => [s.name, s]));
  const chains = table.chains.map((chain): IndexedChain => ({
    name: chain.name,
    builtin: chain.base !== null,
    policy: chain.base?.policy ?? null,
    base: chain.base,
    counters: null,
    line: null,
    comment: chain.comment,
    rules: chain.rules.map((rule) => nftRule(table, sets, rule)),
  }));
  return {
    key: nftTableKey(table.family, table.name),
    engine: 'nft',
    family: table.family,
    name: table.name,
    backend: null,
    chains,
    chainByName: new Map(chains.map((c) => [c.name, c])),
    sets: table.sets,
  };
}

function nftRule(table: NftTable, sets: ReadonlyMap<string, NftSet>, rule: NftRule): IndexedRule {
  let counters: Counters | null = null;
  const targets: RuleTarget[] = [];
  for (const stmt of rule.stmts) {
    if (stmt.kind === 'counter' && stmt.packets !== null && stmt.bytes !== null) {
      counters = { packets: stmt.packets, bytes: stmt.bytes };
    } else if (
      stmt.kind === 'verdict' &&
      (stmt.verdict === 'jump' || stmt.verdict === 'goto') &&
      stmt.target
    ) {
      targets.push({ chain: stmt.target, kind: stmt.verdict, via: null });
    } else if (stmt.kind === 'vmap') {
      const data = stmt.data;
      if (data.kind === 'setref') {
        const set = sets.get(data.name);
        if (set) mapTargets(set.elements, `@${data.name}`, targets);
      } else if (data.kind === 'set') {
        mapTargets(data.elements, 'anonymous', targets);
      }
    }
  }
  return {
    index: rule.index,
    line: null,
    handle: rule.handle,
    text: nftRuleText(table, rule),
    counters,
    targets,
    comment: rule.comment,
  };
}

/** The jump and goto verdicts of a verdict map's elements, each chain once. */
function mapTargets(elements: readonly NftExpr[], via: string, out: RuleTarget[]): void {
  const seen = new Set<string>();
  for (const element of elements) {
    const mapping = element.kind === 'elem' ? element.value : element;
    if (mapping.kind !== 'mapping') continue;
    const value = mapping.value;
    if (value.kind !== 'verdict' || (value.verdict !== 'jump' && value.verdict !== 'goto') || !value.target)
      continue;
    const key = `${value.verdict} ${value.target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ chain: value.target, kind: value.verdict, via });
  }
}

/** Rules of the snapshot's own tables (pods have their own snapshots). */
export function rulesetRuleCount(index: RulesetIndex): number {
  let n = 0;
  for (const t of index.tables) for (const c of t.chains) n += c.rules.length;
  return n;
}

import { z } from 'zod';
import type { IptablesDump, IptChain, IptRule, IptTable } from '../model/iptables';
import type { NftChain, NftExpr, NftRule, NftStmt, NftTable } from '../model/nftables';
import type { Snapshot } from '../model/snapshot';
import type { Atom } from './atoms';
import { atomsCover } from './atoms';
import { iptRuleAtoms, iptRuleProvable } from './ipt-atoms';
import type { IptTableIndex } from './ipt-index';
import { iptRuleEndsChain, iptTableIndex } from './ipt-index';
import { nftRuleAtoms } from './nft-atoms';
import { RuleRef, iptRuleRef, nftRuleRef } from './rule-ref';

/**
 * Rules that can never match because an earlier rule of the same chain ends the chain for every
 * packet they would match: `shadowed` (proven with atoms.ts, which only says yes when it can prove
 * it), `duplicate` (the same rule again), and `undecided` (it would be shadowed, but it uses a module
 * packetlens does not interpret, so no claim is made). Per chain, with an index on destination and
 * source prefixes and a bound on comparisons, so a 10,000-rule chain stays linear.
 */

export const ShadowFinding = z.object({
  kind: z.enum(['shadowed', 'duplicate', 'undecided']),
  /** The later rule, which never matches (or repeats the earlier one). */
  rule: RuleRef,
  /** The earlier rule that catches its packets first. */
  by: RuleRef,
  /** For `undecided`: the conditions packetlens could not interpret. */
  unknown: z.array(z.string()),
});
export type ShadowFinding = z.infer<typeof ShadowFinding>;

export const ShadowBound = z.object({
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  /** Later rules whose comparison stopped at the bound. */
  skipped: z.number().int().nonnegative(),
});

export const ShadowingResult = z.object({
  findings: z.array(ShadowFinding),
  /** Chains where the per-rule bound on comparisons was reached: the check there is partial. */
  bounded: z.array(ShadowBound),
});
export type ShadowingResult = z.infer<typeof ShadowingResult>;

/** Earlier rules compared with one later rule, at most (beyond the prefix index). */
const MAX_CANDIDATES = 512;

interface Item<R> {
  rule: R;
  /** Built when first read: most rules of a large node never need theirs. */
  readonly atoms: Atom[];
  /** Ends the chain for what it matches, and its conditions are all provable ones. */
  canShadow: boolean;
  key: string;
}

interface ChainResult<R> {
  pairs: { kind: ShadowFinding['kind']; rule: R; by: R; unknown: string[] }[];
  skipped: number;
}

/** A positive, single-prefix condition on `dim`, as `[family, prefix length, network]`, else null. */
function prefixOf(atoms: readonly Atom[], dim: 'src' | 'dst'): [string, number, bigint] | null {
  let found: [string, number, bigint] | null = null;
  for (const a of atoms) {
    if (a.kind !== 'addr' || a.dim !== dim) continue;
    if (found !== null || a.set.ranges.length !== 1) return null;
    const [from, to] = a.set.ranges[0]!;
    const size = to - from + 1n;
    // An aligned power-of-two block is a prefix.
    if ((size & (size - 1n)) !== 0n || from % size !== 0n) return null;
    const bits = a.set.family === 'ip' ? 32 : 128;
    found = [a.set.family, bits - (size.toString(2).length - 1), from];
  }
  return found;
}

/** The smallest range holding every `dim` address of the rule; null when it says nothing about `dim`. */
function addressHull(atoms: readonly Atom[], dim: 'src' | 'dst'): [string, bigint, bigint] | null {
  let hull: [string, bigint, bigint] | null = null;
  for (const a of atoms) {
    if (a.kind !== 'addr' || a.dim !== dim || a.set.ranges.length === 0) continue;
    const from = a.set.ranges[0]![0];
    const to = a.set.ranges[a.set.ranges.length - 1]![1];
    hull = hull
      ? [a.set.family, from > hull[1] ? from : hull[1], to < hull[2] ? to : hull[2]]
      : [a.set.family, from, to];
  }
  return hull;
}

/** Earlier rules by the prefix they require; a lookup visits only the prefix lengths in use. */
class PrefixIndex<R> {
  private readonly byLength = new Map<string, Map<bigint, Item<R>[]>>();
  private readonly lengths: [string, number][] = [];

  get empty(): boolean {
    return this.lengths.length === 0;
  }

  add(prefix: [string, number, bigint], item: Item<R>): void {
    const [family, len, network] = prefix;
    const key = `${family}/${len}`;
    let networks = this.byLength.get(key);
    if (!networks) {
      this.byLength.set(key, (networks = new Map()));
      this.lengths.push([family, len]);
    }
    const list = networks.get(network);
    if (list) list.push(item);
    else networks.set(network, [item]);
  }

  /** Lists of rules whose prefix holds all of the hull (for a rule without the dimension: `/0` ones). */
  covering(hull: [string, bigint, bigint] | null): Item<R>[][] {
    const out: Item<R>[][] = [];
    for (const [family, len] of this.lengths) {
      if (hull !== null ? hull[0] !== family : len !== 0) continue;
      const bits = family === 'ip' ? 32 : 128;
      const host = (1n << BigInt(bits - len)) - 1n;
      const network = hull === null ? 0n : hull[1] & ~host;
      if (hull !== null && (network | host) < hull[2]) continue;
      const list = this.byLength.get(`${family}/${len}`)?.get(network);
      if (list) out.push(list);
    }
    return out;
  }
}

function chainShadowing<R>(items: readonly Item<R>[]): ChainResult<R> {
  const byDst = new PrefixIndex<R>();
  const bySrc = new PrefixIndex<R>();
  const generic: Item<R>[] = [];
  const seen = new Map<string, Item<R>>();
  const pairs: ChainResult<R>['pairs'] = [];
  let skipped = 0;

  for (let i = 0; i < items.length; i++) {
    const b = items[i]!;
    const first = seen.get(b.key);
    if (first) pairs.push({ kind: 'duplicate', rule: b.rule, by: first.rule, unknown: [] });
    else if (!generic.length && byDst.empty && bySrc.empty) seen.set(b.key, b);
    else {
      seen.set(b.key, b);
      const hasUnknown = b.atoms.some((a) => a.kind === 'unknown');
      const known = hasUnknown ? b.atoms.filter((a) => a.kind !== 'unknown') : b.atoms;
      let budget = MAX_CANDIDATES;
      let by: Item<R> | undefined;
      const candidates: Item<R>[][] = [
        generic,
        ...byDst.covering(addressHull(known, 'dst')),
        ...bySrc.covering(addressHull(known, 'src')),
      ];
      search: for (const list of candidates) {
        for (const a of list) {
          if (budget-- <= 0) {
            skipped += 1;
            break search;
          }
          if (atomsCover(a.atoms, known)) {
            by = a;
            break search;
          }
        }
      }
      if (by)
        pairs.push({
          kind: hasUnknown ? 'undecided' : 'shadowed',
          rule: b.rule,
          by: by.rule,
          unknown: b.atoms.filter((a) => a.kind === 'unknown').map((a) => a.text),
        });
    }
    // The last rule has nothing after it to shadow.
    if (!b.canShadow || i === items.length - 1) continue;
    const dst = prefixOf(b.atoms, 'dst');
    const src = dst === null ? prefixOf(b.atoms, 'src') : null;
    if (dst !== null) byDst.add(dst, b);
    else if (src !== null) bySrc.add(src, b);
    else generic.push(b);
  }
  return { pairs, skipped };
}

const UNPROVABLE = new Set<Atom['kind']>(['chance', 'stateful', 'unknown']);

class IptItem implements Item<number> {
  private atomsMemo: Atom[] | undefined;
  readonly canShadow: boolean;
  readonly key: string;

  constructor(
    private readonly r: IptRule,
    private readonly family: IptablesDump['family'],
    readonly rule: number,
    index: IptTableIndex,
    chainName: string,
  ) {
    // Decided from the rule itself, without its atoms: a statistic, limit, recent check or unknown module cannot shadow.
    this.canShadow = iptRuleEndsChain(index, r) && iptRuleProvable(r);
    // Within one chain the text differs only where the rules do (`-I CHAIN N` payload lines aside).
    this.key = r.text.startsWith('-A ') ? r.text : r.text.replace(/^-I \S+(?: \d+)?/, `-A ${chainName}`);
  }

  get atoms(): Atom[] {
    return (this.atomsMemo ??= iptRuleAtoms(this.r, this.family));
  }
}

function iptItems(dump: IptablesDump, index: IptTableIndex, chain: IptChain): Item<number>[] {
  return chain.rules.map((rule, i) => new IptItem(rule, dump.family, i, index, chain.name));
}

const ENDING_VERDICTS = new Set(['accept', 'drop', 'return', 'goto', 'queue']);

function constant(e: NftExpr | undefined): boolean {
  if (!e) return true;
  if (e.kind === 'immediate') return true;
  if (e.kind === 'prefix') return constant(e.addr);
  if (e.kind === 'range') return constant(e.low) && constant(e.high);
  return false;
}

/**
 * The rule's last statement ends the chain for every packet that reaches it. Not so for a NAT
 * whose address comes from a map (no element, no translation, the rule does not apply), nor for
 * statements nft ties to one address family inside an inet, bridge or netdev table (`reject with
 * icmp`, `snat ip to`): nft adds a hidden family check to those, which its listing does not show.
 */
function nftEndsChain(table: NftTable, stmt: NftStmt | undefined): boolean {
  if (!stmt) return false;
  const single = table.family === 'ip' || table.family === 'ip6';
  switch (stmt.kind) {
    case 'verdict':
      return ENDING_VERDICTS.has(stmt.verdict);
    case 'queue':
      return true;
    case 'reject':
      if (stmt.type === null || stmt.type === 'icmpx') return true;
      if (stmt.type === 'icmp') return table.family === 'ip';
      if (stmt.type === 'icmpv6') return table.family === 'ip6';
      return false;
    case 'nat':
      return constant(stmt.addr) && constant(stmt.port) && (single || stmt.addr === undefined);
    default:
      return false;
  }
}

// Statements that neither test the packet nor stop it, so a rule with them still catches all it matches.
const PASSIVE = new Set<NftStmt['kind']>(['counter', 'log', 'mangle', 'set', 'notrack', 'objref']);

function nftItems(table: NftTable, chain: NftChain): Item<NftRule>[] {
  return chain.rules.map((rule) => {
    const atoms = nftRuleAtoms(table, rule);
    const stmts = rule.stmts;
    const last = stmts[stmts.length - 1];
    const firstPassive = stmts.findIndex((s) => s.kind !== 'match');
    // Matches after a statement that changes the packet would test changed values: not provable.
    const plain =
      firstPassive < 0 ||
      stmts.slice(firstPassive, -1).every((s) => PASSIVE.has(s.kind) && s.kind !== 'objref');
    return {
      rule,
      atoms,
      canShadow: plain && nftEndsChain(table, last) && !atoms.some((a) => UNPROVABLE.has(a.kind)),
      key: JSON.stringify(stmts.map((s) => (s.kind === 'counter' ? { kind: 'counter' } : s))),
    };
  });
}

export function iptChainShadowing(
  dump: IptablesDump,
  table: IptTable,
  chain: IptChain,
  index: IptTableIndex = iptTableIndex(dump, table),
): { findings: ShadowFinding[]; skipped: number } {
  const { pairs, skipped } = chainShadowing(iptItems(dump, index, chain));
  const ref = (i: number) => iptRuleRef(dump, table, chain, chain.rules[i]!);
  return {
    findings: pairs.map((p) => ({ kind: p.kind, rule: ref(p.rule), by: ref(p.by), unknown: p.unknown })),
    skipped,
  };
}

export function nftChainShadowing(
  table: NftTable,
  chain: NftChain,
): { findings: ShadowFinding[]; skipped: number } {
  const { pairs, skipped } = chainShadowing(nftItems(table, chain));
  return {
    findings: pairs.map((p) => ({
      kind: p.kind,
      rule: nftRuleRef(table, chain, p.rule),
      by: nftRuleRef(table, chain, p.by),
      unknown: p.unknown,
    })),
    skipped,
  };
}

/** Every chain of the snapshot's own namespace: iptables dumps and native nft tables. */
export function snapshotShadowing(snapshot: Snapshot): ShadowingResult {
  const findings: ShadowFinding[] = [];
  const bounded: ShadowingResult['bounded'] = [];
  for (const dump of snapshot.netfilter.iptables)
    for (const table of dump.tables) {
      const index = iptTableIndex(dump, table);
      for (const chain of table.chains) {
        const r = iptChainShadowing(dump, table, chain, index);
        findings.push(...r.findings);
        if (r.skipped)
          bounded.push({ family: dump.family, table: table.name, chain: chain.name, skipped: r.skipped });
      }
    }
  for (const table of snapshot.netfilter.nftables?.tables ?? []) {
    if (table.managedBy === 'iptables-nft') continue;
    for (const chain of table.chains) {
      const r = nftChainShadowing(table, chain);
      findings.push(...r.findings);
      if (r.skipped)
        bounded.push({ family: table.family, table: table.name, chain: chain.name, skipped: r.skipped });
    }
  }
  return { findings, bounded };
}

import { z } from 'zod';
import { chainFamily } from './chain-families';
import type { IndexedTable } from './ruleset-index';

/**
 * The jump/goto graph of one table, with large chain families folded into groups. A group expands on
 * request to its first `expandLimit` chains (in the order packets reach them); a focused chain is
 * always shown with the chains it jumps to and the chains that jump to it, so following a rule's
 * target from the rule table lands on a readable neighbourhood even on a 10,000-service node.
 */

export const GraphNode = z.object({
  /** `c:NAME` for a chain, `g:PREFIX` for a folded group. */
  id: z.string(),
  kind: z.enum(['chain', 'group']),
  /** A chain's name, or the family prefix with `*` for a group. */
  label: z.string(),
  /** The chain's name; null for a group. */
  chain: z.string().nullable(),
  /** Family prefix of a group or of a chain that belongs to one. */
  family: z.string().nullable(),
  builtin: z.boolean(),
  policy: z.string().nullable(),
  /** nft base chain hook and priority. */
  hook: z.string().nullable(),
  priority: z.number().int().nullable(),
  /** Rules in the chain, or in all chains folded in the group. */
  rules: z.number().int().nonnegative(),
  /** Group: chains folded in it. Chain: 1. */
  members: z.number().int().nonnegative(),
  /** Group: chains of the family in the table, shown or folded. */
  familySize: z.number().int().nonnegative(),
});
export type GraphNode = z.infer<typeof GraphNode>;

export const GraphEdge = z.object({
  from: z.string(),
  to: z.string(),
  jumps: z.number().int().nonnegative(),
  gotos: z.number().int().nonnegative(),
  /** At least one of the edges goes through a verdict map. */
  viaMap: z.boolean(),
});
export type GraphEdge = z.infer<typeof GraphEdge>;

export const ChainGraph = z.object({
  table: z.string(),
  /** Families with at least this many chains are folded. */
  foldAt: z.number().int().positive(),
  expandLimit: z.number().int().positive(),
  expanded: z.array(z.string()),
  focus: z.string().nullable(),
  chains: z.number().int().nonnegative(),
  nodes: z.array(GraphNode),
  edges: z.array(GraphEdge),
  /** Targets named by rules that the table does not hold (a dump cut short, or a broken ruleset). */
  missingTargets: z.array(z.string()),
});
export type ChainGraph = z.infer<typeof ChainGraph>;

export interface ChainGraphOptions {
  /** Family prefixes to expand. */
  expand?: readonly string[];
  /** A chain to show with its neighbours, folded family or not. */
  focus?: string | null;
  foldAt?: number;
  expandLimit?: number;
}

export const graphFoldAt = 8;
export const graphExpandLimit = 40;

/** What every graph of a table shares, computed once per table: chains as numbers, targets as flat arrays. */
interface GraphBase {
  /** Chain indices (into `table.chains`) in the order packets reach them. */
  order: Int32Array;
  /** Family prefix per chain index; null for built-in chains and chains of their own. */
  family: (string | null)[];
  /** Members of each family, in reach order. */
  members: Map<string, number[]>;
  /** Targets of chain i are `targetChain[targetStart[i] .. targetStart[i + 1])`; -1: no such chain. */
  targetStart: Uint32Array;
  targetChain: Int32Array;
  targetGoto: Uint8Array;
  targetViaMap: Uint8Array;
  missing: string[];
}

const bases = new WeakMap<IndexedTable, GraphBase>();

function graphBase(table: IndexedTable): GraphBase {
  const cached = bases.get(table);
  if (cached) return cached;
  const chains = table.chains;
  const indexOf = new Map(chains.map((c, i) => [c.name, i]));
  const targetStart = new Uint32Array(chains.length + 1);
  const targets: number[] = [];
  const gotos: number[] = [];
  const viaMap: number[] = [];
  const missing = new Set<string>();
  chains.forEach((chain, i) => {
    targetStart[i] = targets.length;
    for (const rule of chain.rules) {
      for (const t of rule.targets) {
        const j = indexOf.get(t.chain);
        if (j === undefined) missing.add(t.chain);
        targets.push(j ?? -1);
        gotos.push(t.kind === 'goto' ? 1 : 0);
        viaMap.push(t.via === null ? 0 : 1);
      }
    }
  });
  targetStart[chains.length] = targets.length;
  const targetChain = Int32Array.from(targets);

  // Built-in chains first, then breadth first along the rules, then whatever nothing reaches.
  const seen = new Uint8Array(chains.length);
  const order: number[] = [];
  const visit = (i: number) => {
    if (i < 0 || seen[i]) return;
    seen[i] = 1;
    order.push(i);
  };
  chains.forEach((c, i) => c.builtin && visit(i));
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    for (let t = targetStart[i]!; t < targetStart[i + 1]!; t++) visit(targetChain[t]!);
  }
  chains.forEach((_, i) => visit(i));

  const family = chains.map((c) => (c.builtin ? null : chainFamily(c.name)));
  const members = new Map<string, number[]>();
  for (const i of order) {
    const f = family[i];
    if (f === null || f === undefined) continue;
    let list = members.get(f);
    if (!list) members.set(f, (list = []));
    list.push(i);
  }
  const base: GraphBase = {
    order: Int32Array.from(order),
    family,
    members,
    targetStart,
    targetChain,
    targetGoto: Uint8Array.from(gotos),
    targetViaMap: Uint8Array.from(viaMap),
    missing: [...missing].sort(),
  };
  bases.set(table, base);
  return base;
}

export function chainGraph(table: IndexedTable, opts: ChainGraphOptions = {}): ChainGraph {
  const foldAt = opts.foldAt ?? graphFoldAt;
  const expandLimit = opts.expandLimit ?? graphExpandLimit;
  const expand = new Set(opts.expand ?? []);
  const base = graphBase(table);
  const chains = table.chains;
  const { family, members, targetStart, targetChain } = base;

  const shown = new Uint8Array(chains.length);
  family.forEach((f, i) => {
    if (f === null || (members.get(f)?.length ?? 0) < foldAt) shown[i] = 1;
  });
  for (const f of expand) for (const i of (members.get(f) ?? []).slice(0, expandLimit)) shown[i] = 1;

  const focusIndex = opts.focus ? chains.findIndex((c) => c.name === opts.focus) : -1;
  if (focusIndex >= 0) {
    shown[focusIndex] = 1;
    let next = 0;
    for (let t = targetStart[focusIndex]!; t < targetStart[focusIndex + 1]! && next < expandLimit; t++) {
      const j = targetChain[t]!;
      if (j >= 0 && !shown[j]) {
        shown[j] = 1;
        next++;
      }
    }
    let callers = 0;
    for (let i = 0; i < chains.length && callers < expandLimit; i++) {
      for (let t = targetStart[i]!; t < targetStart[i + 1]!; t++) {
        if (targetChain[t] !== focusIndex) continue;
        if (!shown[i]) callers++;
        shown[i] = 1;
        break;
      }
    }
  }

  // One node per shown chain and per family that still has folded members, in reach order.
  const nodes: GraphNode[] = [];
  const nodeOf = new Int32Array(chains.length);
  const groupNode = new Map<string, number>();
  for (const i of base.order) {
    const chain = chains[i]!;
    const f = family[i] ?? null;
    if (shown[i]) {
      nodeOf[i] = nodes.length;
      nodes.push({
        id: `c:${chain.name}`,
        kind: 'chain',
        label: chain.name,
        chain: chain.name,
        family: f,
        builtin: chain.builtin,
        policy: chain.policy,
        hook: chain.base?.hook ?? null,
        priority: chain.base?.priority ?? null,
        rules: chain.rules.length,
        members: 1,
        familySize: f === null ? 0 : (members.get(f)?.length ?? 0),
      });
      continue;
    }
    let g = groupNode.get(f!);
    if (g === undefined) {
      g = nodes.length;
      groupNode.set(f!, g);
      nodes.push({
        id: `g:${f}`,
        kind: 'group',
        label: `${f}*`,
        chain: null,
        family: f,
        builtin: false,
        policy: null,
        hook: null,
        priority: null,
        rules: 0,
        members: 0,
        familySize: members.get(f!)?.length ?? 0,
      });
    }
    nodeOf[i] = g;
    nodes[g]!.rules += chain.rules.length;
    nodes[g]!.members++;
  }

  const edges = new Map<number, GraphEdge>();
  for (let i = 0; i < chains.length; i++) {
    const from = nodeOf[i]!;
    for (let t = targetStart[i]!; t < targetStart[i + 1]!; t++) {
      const j = targetChain[t]!;
      if (j < 0) continue;
      const to = nodeOf[j]!;
      if (to === from) continue;
      const key = from * nodes.length + to;
      let edge = edges.get(key);
      if (!edge)
        edges.set(
          key,
          (edge = { from: nodes[from]!.id, to: nodes[to]!.id, jumps: 0, gotos: 0, viaMap: false }),
        );
      if (base.targetGoto[t]) edge.gotos++;
      else edge.jumps++;
      if (base.targetViaMap[t]) edge.viaMap = true;
    }
  }

  return {
    table: table.key,
    foldAt,
    expandLimit,
    expanded: [...expand].filter((f) => members.has(f)),
    focus: focusIndex >= 0 ? chains[focusIndex]!.name : null,
    chains: chains.length,
    nodes,
    edges: [...edges.values()],
    missingTargets: base.missing,
  };
}

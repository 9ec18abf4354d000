import { linkHorizontal } from 'd3';
import type { GraphEdge, GraphNode } from './chain-graph';

/**
 * A left-to-right layered layout for the chain graph: each chain one column further right than the
 * furthest chain that jumps to it (netfilter forbids loops, so the graph is a DAG; a loop in a broken
 * dump is cut where it is found), rows ordered by the mean row of their callers so edges cross less.
 */

export const nodeWidth = 250;
export const nodeHeight = 46;
const columnGap = 90;
const rowGap = 16;
const margin = 16;

export interface PlacedNode {
  node: GraphNode;
  x: number;
  y: number;
  layer: number;
}

export interface PlacedEdge {
  edge: GraphEdge;
  /** SVG path from the right side of `from` to the left side of `to`. */
  path: string;
  /** Where to write the edge's count. */
  labelX: number;
  labelY: number;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export function graphLayout(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): GraphLayout {
  const ids = new Set(nodes.map((n) => n.id));
  const incoming = new Map<string, string[]>();
  const outgoing = new Map<string, string[]>();
  for (const n of nodes) {
    incoming.set(n.id, []);
    outgoing.set(n.id, []);
  }
  for (const e of edges) {
    if (!ids.has(e.from) || !ids.has(e.to)) continue;
    outgoing.get(e.from)!.push(e.to);
    incoming.get(e.to)!.push(e.from);
  }

  const layer = layersAssign(nodes, incoming, outgoing);
  const columns: GraphNode[][] = [];
  for (const n of nodes) (columns[layer.get(n.id)!] ??= []).push(n);

  const row = new Map<string, number>();
  columns.forEach((column, i) => {
    if (i > 0) {
      const mean = (id: string) => {
        const rows = incoming
          .get(id)!
          .map((p) => row.get(p))
          .filter((r): r is number => r !== undefined);
        return rows.length === 0 ? Number.POSITIVE_INFINITY : rows.reduce((a, b) => a + b, 0) / rows.length;
      };
      // Stable: nodes without placed callers keep their given (reach) order at the bottom.
      const keyed = column.map((n, k) => ({ n, k, m: mean(n.id) }));
      keyed.sort((a, b) => a.m - b.m || a.k - b.k);
      column.splice(0, column.length, ...keyed.map((x) => x.n));
    }
    column.forEach((n, r) => row.set(n.id, r));
  });

  const placed = new Map<string, PlacedNode>();
  for (const [i, column] of columns.entries()) {
    for (const [r, n] of (column ?? []).entries()) {
      placed.set(n.id, {
        node: n,
        layer: i,
        x: margin + i * (nodeWidth + columnGap),
        y: margin + r * (nodeHeight + rowGap),
      });
    }
  }

  const link = linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>();
  const placedEdges: PlacedEdge[] = [];
  for (const e of edges) {
    const a = placed.get(e.from);
    const b = placed.get(e.to);
    if (!a || !b) continue;
    const source: [number, number] = [a.x + nodeWidth, a.y + nodeHeight / 2];
    const target: [number, number] = [b.x, b.y + nodeHeight / 2];
    placedEdges.push({
      edge: e,
      path: link({ source, target }) ?? '',
      labelX: (source[0] + target[0]) / 2,
      labelY: (source[1] + target[1]) / 2 - 4,
    });
  }

  const tallest = Math.max(0, ...columns.map((c) => (c ?? []).length));
  return {
    nodes: [...placed.values()],
    edges: placedEdges,
    width: margin * 2 + columns.length * nodeWidth + Math.max(0, columns.length - 1) * columnGap,
    height: margin * 2 + tallest * nodeHeight + Math.max(0, tallest - 1) * rowGap,
  };
}

/** Longest-path layering in topological order (Kahn); nodes left in a cycle go one past their callers. */
function layersAssign(
  nodes: readonly GraphNode[],
  incoming: ReadonlyMap<string, string[]>,
  outgoing: ReadonlyMap<string, string[]>,
): Map<string, number> {
  const layer = new Map<string, number>();
  const pending = new Map(nodes.map((n) => [n.id, incoming.get(n.id)!.length]));
  const queue = nodes.filter((n) => pending.get(n.id) === 0).map((n) => n.id);
  for (const id of queue) layer.set(id, 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const next of outgoing.get(id)!) {
      layer.set(next, Math.max(layer.get(next) ?? 0, layer.get(id)! + 1));
      const left = pending.get(next)! - 1;
      pending.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  for (const n of nodes) {
    if (layer.has(n.id) && pending.get(n.id) === 0) continue;
    const callers = incoming.get(n.id)!.map((p) => layer.get(p) ?? 0);
    layer.set(n.id, Math.max(layer.get(n.id) ?? 0, ...callers.map((l) => l + 1)));
  }
  return layer;
}

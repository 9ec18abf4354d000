import { linkHorizontal } from 'd3';
import type { NatDnatFlow, NatShare } from './nat-payload';
import { shareText } from './nat-payload';

/**
 * The DNAT diagram's layout: what is caught on the left (one node per flow), endpoints on the right
 * (one node per address:port, shared by the flows that reach it), a band between them as wide as the
 * share of connections it carries. Every band gets a slot tall enough for its label, so small shares
 * stay readable. Bands that hold only for some packets, or whose endpoint no share picks, are dashed.
 */

export const natNodeWidth = 270;
const columnGap = 300;
const margin = 12;
const nodeGap = 14;
/** A share of 1 is this wide. */
const bandMax = 28;
const bandMin = 2;
/** Above each band, its label. */
const labelRoom = 14;
const nodePad = 22;

export interface NatLayoutNode {
  id: string;
  x: number;
  y: number;
  height: number;
  title: string;
  detail: string;
  kind: 'catch' | 'endpoint' | 'outcome';
  /** Catches whose shares do not hold for every packet. */
  uncertain: boolean;
}

export interface NatLayoutLink {
  id: string;
  path: string;
  width: number;
  /** Holds for some packets only, or picked by a packet field: drawn dashed. */
  conditional: boolean;
  label: string;
  labelX: number;
  labelY: number;
  kind: 'endpoint' | 'outcome';
}

export interface NatLayout {
  nodes: NatLayoutNode[];
  links: NatLayoutLink[];
  width: number;
  height: number;
}

interface Band {
  id: string;
  from: string;
  to: string;
  share: NatShare | null;
  conditional: boolean;
  label: string;
  kind: 'endpoint' | 'outcome';
}

const bandWidth = (s: NatShare | null) => (s ? Math.max(bandMin, s.value * bandMax) : bandMin);
const slotOf = (b: Band) => labelRoom + bandWidth(b.share) + 4;

function bandsOf(flows: readonly NatDnatFlow[]) {
  const bands: Band[] = [];
  const targets = new Map<string, { title: string; detail: string; kind: 'endpoint' | 'outcome' }>();
  for (const f of flows) {
    const split = f.branches.length > 1;
    f.branches.forEach((b, bi) => {
      const conditional = split || b.when.length > 0;
      const when = b.when.length ? ` when ${b.when.join(' and ')}` : split ? ' otherwise' : '';
      b.endpoints.forEach((e, ei) => {
        const to = `ep:${e.to}`;
        if (!targets.has(to)) {
          const o = e.owner;
          const detail = o ? (o.kind === 'pod' ? `${o.name} on ${o.node}` : `host ${o.node}`) : '';
          targets.set(to, { title: e.to, detail, kind: 'endpoint' });
        }
        bands.push({
          id: `${f.id}/${bi}/e${ei}`,
          from: f.id,
          to,
          share: e.share,
          conditional: conditional || e.share === null,
          label: (e.share ? shareText(e.share) : `chosen by ${e.chosenBy ?? 'a packet field'}`) + when,
          kind: 'endpoint',
        });
      });
      b.outcomes.forEach((o, oi) => {
        const to = `out:${f.id}/${bi}/${oi}`;
        targets.set(to, {
          title: o.kind === 'undecided' ? 'undecided' : o.kind,
          detail: o.detail,
          kind: 'outcome',
        });
        bands.push({
          id: `${f.id}/${bi}/o${oi}`,
          from: f.id,
          to,
          share: o.share,
          conditional: conditional || o.share === null || o.kind === 'undecided',
          label: (o.share ? shareText(o.share) : 'by a packet field') + when,
          kind: 'outcome',
        });
      });
    });
  }
  return { bands, targets };
}

export function natLayout(flows: readonly NatDnatFlow[]): NatLayout {
  const { bands, targets } = bandsOf(flows);
  const out = new Map<string, Band[]>();
  const into = new Map<string, Band[]>();
  for (const b of bands) {
    out.set(b.from, [...(out.get(b.from) ?? []), b]);
    into.set(b.to, [...(into.get(b.to) ?? []), b]);
  }
  const slots = (bs: readonly Band[] = []) => bs.reduce((n, b) => n + slotOf(b), 0);
  const nodes: NatLayoutNode[] = [];
  let y = margin;
  for (const f of flows) {
    const height = Math.max(2 * nodePad, slots(out.get(f.id)) + nodePad);
    nodes.push({
      id: f.id,
      x: margin,
      y,
      height,
      title: f.label,
      detail: f.service ?? f.owner,
      kind: 'catch',
      uncertain: f.uncertain.length > 0,
    });
    y += height + nodeGap;
  }
  const leftHeight = y;
  // Targets in the order their first band leaves the left column, so bands cross as little as may be.
  y = margin;
  const rightX = margin + natNodeWidth + columnGap;
  for (const [id, t] of targets) {
    const height = Math.max(2 * nodePad, slots(into.get(id)) + nodePad);
    nodes.push({ id, x: rightX, y, height, ...t, uncertain: false });
    y += height + nodeGap;
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const link = linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>();
  const fromY = new Map<string, number>();
  const toY = new Map<string, number>();
  const links = bands.map((b): NatLayoutLink => {
    const a = byId.get(b.from)!;
    const t = byId.get(b.to)!;
    const slot = slotOf(b);
    const w = bandWidth(b.share);
    const slotA = fromY.get(b.from) ?? a.y + nodePad;
    const slotT = toY.get(b.to) ?? t.y + nodePad;
    fromY.set(b.from, slotA + slot);
    toY.set(b.to, slotT + slot);
    const ya = slotA + labelRoom + w / 2;
    const yt = slotT + labelRoom + w / 2;
    const source: [number, number] = [a.x + natNodeWidth, ya];
    const target: [number, number] = [t.x, yt];
    return {
      id: b.id,
      path: link({ source, target }) ?? '',
      width: w,
      conditional: b.conditional,
      label: b.label,
      labelX: source[0] + 8,
      labelY: slotA + labelRoom - 3,
      kind: b.kind,
    };
  });
  return {
    nodes,
    links,
    width: rightX + natNodeWidth + margin,
    height: Math.max(leftHeight, y) - nodeGap + margin,
  };
}

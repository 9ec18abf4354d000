import { extent, line, scaleLinear } from 'd3';
import type { GrowthPoint } from './fleet';

/** The fleet's small growth line: rule count over the stored collections, as an SVG path. */

export interface Sparkline {
  path: string;
  width: number;
  height: number;
  min: number;
  max: number;
  /** The last point, drawn as a dot. */
  lastX: number;
  lastY: number;
}

export function sparkline(points: readonly GrowthPoint[], width = 120, height = 28): Sparkline | null {
  if (points.length === 0) return null;
  const pad = 3;
  const times = points.map((p) => Date.parse(p.at));
  const [t0, t1] = extent(times) as [number, number];
  const [min, max] = extent(points, (p) => p.rules) as [number, number];
  // A flat or single-point series draws in the middle rather than on an edge.
  const x = scaleLinear()
    .domain(t0 === t1 ? [t0 - 1, t1 + 1] : [t0, t1])
    .range([pad, width - pad]);
  const y = scaleLinear()
    .domain(min === max ? [min - 1, max + 1] : [min, max])
    .range([height - pad, pad]);
  const path =
    line<number>()
      .x((_, i) => x(times[i]!))
      .y((_, i) => y(points[i]!.rules))(points.map((_, i) => i)) ?? '';
  const last = points.length - 1;
  return { path, width, height, min, max, lastX: x(times[last]!), lastY: y(points[last]!.rules) };
}

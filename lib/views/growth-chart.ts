import { line, scaleLinear, scaleSymlog, scaleUtc, utcFormat } from 'd3';
import type { GrowthSeries } from './warnings-schema';

/**
 * The geometry of one growth chart: the measure over time, the threshold levels that matter as
 * horizontal lines, and the projected crossing of the next level. Levels far above the data would
 * flatten it on a linear axis, so the chart can use a log axis (symlog: zero stays drawable).
 */

export type ChartScale = 'linear' | 'log';

export interface ChartLevel {
  threshold: string;
  severity: string;
  level: number;
  y: number;
  crossedAt: string | null;
}

export interface ChartProjection {
  severity: string;
  level: number;
  at: string;
  inDays: number;
  /** Where it is drawn; null when the date is beyond the chart's horizon. */
  x: number | null;
  /** The dashed line from the last point to the crossing. */
  path: string | null;
}

export interface GrowthChartLayout {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
  path: string;
  dots: { x: number; y: number; at: string; value: number }[];
  levels: ChartLevel[];
  projection: ChartProjection | null;
  xTicks: { x: number; text: string }[];
  yTicks: { y: number; text: string }[];
}

/** Projections further out than this are named in words but not drawn. */
export const projectionHorizonDays = 3 * 365;
const DAY_MS = 86_400_000;
const dotsMax = 60;

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** The levels the chart shows: those the data crossed, and the next one above it. */
export function chartLevels(series: GrowthSeries): GrowthSeries['crossings'] {
  const crossed = series.crossings.filter((c) => c.crossedAt !== null);
  const next = series.crossings.filter((c) => c.crossedAt === null).sort((a, b) => a.level - b.level)[0];
  return next ? [...crossed, next] : crossed;
}

/** Log when the levels shown are far (20x) above the data, else linear. */
export function defaultScale(series: GrowthSeries): ChartScale {
  const max = Math.max(1, ...series.points.map((p) => p.value));
  const top = Math.max(max, ...chartLevels(series).map((c) => c.level));
  return top / max > 20 ? 'log' : 'linear';
}

function logTicks(max: number): number[] {
  const ticks = [0];
  for (let p = 1; p <= max * 1.0001; p *= 10) ticks.push(p);
  return ticks;
}

export function growthChartLayout(
  series: GrowthSeries,
  scale: ChartScale,
  width = 640,
  height = 240,
): GrowthChartLayout {
  const margin = { top: 16, right: 150, bottom: 28, left: 56 };
  const times = series.points.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const tLast = Math.max(...times);
  const levels = chartLevels(series);
  const next = series.crossings
    .filter((c) => c.projectedAt !== null && c.inDays !== null)
    .sort((a, b) => a.inDays! - b.inDays!)[0];
  const drawn = next && next.inDays! <= projectionHorizonDays ? next : null;
  const tEnd = drawn ? Date.parse(drawn.projectedAt!) : tLast;
  const span = tEnd - t0;
  // One collection (or one time): a day either side, so the point sits in the middle.
  const xDomain: [number, number] = span > 0 ? [t0, tEnd] : [t0 - DAY_MS, t0 + DAY_MS];
  const x = scaleUtc()
    .domain(xDomain)
    .range([margin.left, width - margin.right]);
  const max = Math.max(0, ...series.points.map((p) => p.value), ...levels.map((c) => c.level));
  const yMax = max === 0 ? 1 : max * 1.05;
  const y = (scale === 'log' ? scaleSymlog() : scaleLinear())
    .domain([0, yMax])
    .range([height - margin.bottom, margin.top]);
  const path =
    line<{ at: string; value: number }>()
      .x((p) => x(Date.parse(p.at)))
      .y((p) => y(p.value))(series.points) ?? '';
  const last = series.points[series.points.length - 1];
  let projection: ChartProjection | null = null;
  if (next && last) {
    const px = drawn ? x(Date.parse(next.projectedAt!)) : null;
    projection = {
      severity: next.severity,
      level: next.level,
      at: next.projectedAt!,
      inDays: next.inDays!,
      x: px,
      path: px === null ? null : `M${x(Date.parse(last.at))},${y(last.value)}L${px},${y(next.level)}`,
    };
  }
  const xSpanMs = xDomain[1] - xDomain[0];
  // Ticks as fine as the span needs: a lab collected minutes apart reads in seconds.
  const xFormat = utcFormat(xSpanMs <= 3_600_000 ? '%H:%M:%S' : xSpanMs <= 2 * DAY_MS ? '%H:%M' : '%Y-%m-%d');
  const xTicks = x.ticks(xSpanMs <= 2 * DAY_MS ? 4 : 5).map((t) => ({ x: x(t), text: xFormat(t) }));
  const yValues = scale === 'log' ? logTicks(yMax) : scaleLinear().domain([0, yMax]).ticks(5);
  const yTicks = yValues.map((v) => ({ y: y(v), text: compact.format(v) }));
  return {
    width,
    height,
    margin,
    path,
    dots: (series.points.length <= dotsMax ? series.points : [last!]).map((p) => ({
      x: x(Date.parse(p.at)),
      y: y(p.value),
      at: p.at,
      value: p.value,
    })),
    levels: levels.map((c) => ({
      threshold: c.threshold,
      severity: c.severity,
      level: c.level,
      y: y(c.level),
      crossedAt: c.crossedAt,
    })),
    projection,
    xTicks,
    yTicks,
  };
}

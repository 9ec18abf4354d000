'use client';

import { useState } from 'react';
import { countText, plural, timeText } from '@/lib/views/format';
import type { ChartScale } from '@/lib/views/growth-chart';
import { defaultScale, growthChartLayout } from '@/lib/views/growth-chart';
import type { GrowthSeries } from '@/lib/views/warnings-schema';
import { DiagramExport } from '../diagram-export';
import { testIds } from '../test-ids';
import { valueText } from './value-text';

/**
 * One measure over the stored collections, with its threshold levels as labelled lines and, where
 * history allows, the projected date the next level is crossed.
 */

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');

function rateText(s: GrowthSeries): string {
  if (s.perDay === null) return 'rate unknown (one collection time)';
  return `${s.perDay >= 0 ? '+' : ''}${valueText(Math.round(s.perDay * 10) / 10)} ${s.unit} a day`;
}

export function GrowthChart({ series, subject }: { series: GrowthSeries; subject: string }) {
  const [scale, setScale] = useState<ChartScale>(() => defaultScale(series));
  const layout = growthChartLayout(series, scale);
  const svgId = `growth-${fileSafe(subject)}-${series.metric}`;
  const headingId = `${svgId}-heading`;
  const { margin, width, height } = layout;
  const right = width - margin.right;
  const p = layout.projection;
  const summary =
    `${series.label}: ${valueText(series.latest ?? 0)} ${series.unit} at the last of ${plural(series.collections, 'collection')}; ` +
    rateText(series) +
    (layout.levels.length
      ? `; threshold lines at ${layout.levels.map((l) => `${l.severity} ${valueText(l.level)}`).join(', ')}`
      : '; no threshold') +
    (p ? `; projected to pass ${valueText(p.level)} (${p.severity}) on ${p.at.slice(0, 10)}` : '');
  return (
    <figure className="growth-chart" data-testid={testIds.growthChart} data-metric={series.metric}>
      <figcaption>
        <h3 id={headingId}>{series.label}</h3>
        <p className="muted">
          {valueText(series.latest ?? 0)} {series.unit} now; {rateText(series)}.
        </p>
      </figcaption>
      <div className="segmented" role="group" aria-label={`Scale of ${series.label}`}>
        {(['linear', 'log'] as const).map((s) => (
          <button key={s} type="button" aria-pressed={scale === s} onClick={() => setScale(s)}>
            {s === 'linear' ? 'Linear' : 'Log'}
          </button>
        ))}
      </div>
      <div className="diagram-scroll">
        <svg
          id={svgId}
          className="growth-chart__svg"
          viewBox={`0 0 ${width} ${height}`}
          width={width}
          height={height}
          role="img"
          aria-labelledby={`${svgId}-title`}
        >
          <title id={`${svgId}-title`}>{summary}</title>
          <g className="growth-chart__axis">
            {layout.yTicks.map((t) => (
              <g key={`y${t.text}`}>
                <line x1={margin.left} x2={right} y1={t.y} y2={t.y} className="growth-chart__grid" />
                <text x={margin.left - 6} y={t.y} textAnchor="end" dominantBaseline="middle">
                  {t.text}
                </text>
              </g>
            ))}
            {layout.xTicks.map((t) => (
              <text key={`x${t.x}`} x={t.x} y={height - margin.bottom + 16} textAnchor="middle">
                {t.text}
              </text>
            ))}
            <line
              x1={margin.left}
              x2={right}
              y1={height - margin.bottom}
              y2={height - margin.bottom}
              className="growth-chart__baseline"
            />
          </g>
          {layout.levels.map((l) => (
            <g
              key={`${l.threshold}-${l.severity}`}
              className={`growth-chart__level growth-chart__level--${l.severity}`}
            >
              <line x1={margin.left} x2={right} y1={l.y} y2={l.y} />
              <text x={right + 6} y={l.y} dominantBaseline="middle">
                {l.severity} {valueText(l.level)}
              </text>
            </g>
          ))}
          <path d={layout.path} className="growth-chart__line" />
          {layout.dots.map((d) => (
            <circle key={d.at} cx={d.x} cy={d.y} r={3} className="growth-chart__dot">
              <title>{`${timeText(d.at)}: ${valueText(d.value)} ${series.unit}`}</title>
            </circle>
          ))}
          {p && p.x !== null && p.path && (
            <g className="growth-chart__projection">
              <path d={p.path} />
              <line x1={p.x} x2={p.x} y1={margin.top} y2={height - margin.bottom} />
              <text x={p.x - 4} y={margin.top + 10} textAnchor="end">
                {p.at.slice(0, 10)}
              </text>
            </g>
          )}
        </svg>
      </div>
      <GrowthNotes series={series} />
      <DiagramExport targetId={svgId} fileName={`${fileSafe(subject)}-${series.metric}`} />
    </figure>
  );
}

function GrowthNotes({ series }: { series: GrowthSeries }) {
  const crossed = series.crossings.filter((c) => c.crossedAt !== null);
  const projected = series.crossings.filter((c) => c.projectedAt !== null);
  const pr = series.projection;
  return (
    <ul className="growth-chart__notes">
      {crossed.map((c) => (
        <li key={`c-${c.severity}`}>
          Above the {c.severity} level {valueText(c.level)} ({c.threshold}) since{' '}
          <time dateTime={c.crossedAt!}>{timeText(c.crossedAt)}</time>.
        </li>
      ))}
      {projected.map((c) => (
        <li key={`p-${c.severity}`} data-projected={c.severity}>
          At this rate it passes the {c.severity} level {valueText(c.level)} ({c.threshold}) on{' '}
          <time dateTime={c.projectedAt!}>{c.projectedAt!.slice(0, 10)}</time>,{' '}
          {countText(Math.round(c.inDays!))} days after the last collection.
        </li>
      ))}
      {pr.state === 'too-few' && <li>No projection: {pr.why}.</li>}
      {pr.state === 'not-growing' && <li>No projection: it does not grow over the stored collections.</li>}
      {pr.state === 'no-level' && <li>No projection: {pr.why}.</li>}
    </ul>
  );
}

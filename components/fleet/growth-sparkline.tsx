import type { GrowthPoint } from '@/lib/views/fleet';
import { countText } from '@/lib/views/format';
import { sparkline } from '@/lib/views/sparkline';

/** Rule count over the stored collections, small enough for a table cell. */
export function GrowthSparkline({
  points,
  collections,
}: {
  points: readonly GrowthPoint[];
  collections: number;
}) {
  const line = sparkline(points);
  if (!line) return <span className="muted">no data</span>;
  const first = points[0]!.rules;
  const last = points.at(-1)!.rules;
  const label =
    collections === 1
      ? `one collection: ${countText(last)} rules`
      : `rules over ${countText(collections)} collections: ${countText(first)} at the first, ${countText(last)} at the last`;
  return (
    <svg
      className="sparkline"
      width={line.width}
      height={line.height}
      viewBox={`0 0 ${line.width} ${line.height}`}
      role="img"
      aria-label={label}
    >
      <title>{label}</title>
      <path d={line.path} className="sparkline__line" />
      <circle cx={line.lastX} cy={line.lastY} r={2.5} className="sparkline__dot" />
    </svg>
  );
}

'use client';

import type { TracePath } from '@/lib/simulate/result';

/**
 * A path as a row of boxes, one per namespace, listing the hooks it passed there; boxes where NAT
 * rewrote the packet are marked, with the rewrite. SVG, so it exports as SVG and PNG.
 */

interface Box {
  host: string;
  hooks: string[];
  nat: string[];
  end: string | null;
}

function boxes(path: TracePath): Box[] {
  const out: Box[] = [];
  for (const s of path.steps) {
    let b = out.at(-1);
    if (!b || b.host !== s.host) out.push((b = { host: s.host, hooks: [], nat: [], end: null }));
    const hook = s.kind === 'route' ? 'routing' : s.hook;
    if (!['egress', 'bridge'].includes(hook) && b.hooks.at(-1) !== hook) b.hooks.push(hook);
    if (s.changed.some((c) => c === 'src' || c === 'dst' || c === 'sport' || c === 'dport'))
      b.nat.push(
        s.kind === 'conntrack' ? `conntrack: ${s.verdict.split(':')[0]}` : s.verdict.split(' (')[0]!,
      );
  }
  const last = out.at(-1);
  if (last) last.end = `${path.disposition}: ${path.verdict}`;
  return out;
}

const W = 250;
const GAP = 36;
const LINE = 16;

export function PathDiagram({ path, id, title }: { path: TracePath; id: string; title: string }) {
  const bs = boxes(path);
  const height = Math.max(
    ...bs.map((b) => 40 + (b.hooks.length + b.nat.length + (b.end ? 1 : 0)) * LINE),
    80,
  );
  const width = bs.length * (W + GAP);
  return (
    <svg
      id={id}
      className="path-diagram"
      width={width}
      height={height + 10}
      viewBox={`0 0 ${width} ${height + 10}`}
      role="img"
    >
      <title>{title}</title>
      <defs>
        <marker
          id={`${id}-arrow`}
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="6"
          markerHeight="6"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="currentColor" />
        </marker>
      </defs>
      {bs.map((b, i) => {
        const x = i * (W + GAP) + 2;
        let y = 38;
        return (
          <g key={i}>
            <rect
              x={x}
              y={4}
              width={W}
              height={height}
              rx={6}
              className={b.nat.length ? 'box box--nat' : 'box'}
            />
            <text x={x + 8} y={24} className="box-title">
              {b.host}
            </text>
            {b.hooks.map((h) => (
              <text key={h} x={x + 8} y={(y += LINE) - LINE + 4} className="box-line">
                {h}
              </text>
            ))}
            {b.nat.map((n, j) => (
              <text key={`n${j}`} x={x + 8} y={(y += LINE) - LINE + 4} className="box-line box-line--nat">
                {n}
              </text>
            ))}
            {b.end && (
              <text x={x + 8} y={y + 4} className="box-line box-line--end">
                {b.end}
              </text>
            )}
            {i < bs.length - 1 && (
              <line
                x1={x + W + 2}
                y1={24}
                x2={x + W + GAP - 4}
                y2={24}
                stroke="currentColor"
                markerEnd={`url(#${id}-arrow)`}
              />
            )}
          </g>
        );
      })}
    </svg>
  );
}

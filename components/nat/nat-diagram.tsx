'use client';

import { useMemo } from 'react';
import { natLayout, natNodeWidth } from '@/lib/views/nat-layout';
import type { NatDnatFlow } from '@/lib/views/nat-payload';
import { testIds } from '../test-ids';

const maxLabel = 38;
const clip = (s: string) => (s.length > maxLabel ? `${s.slice(0, maxLabel - 1)}…` : s);

/**
 * DNAT flows of one page as bands from what is caught to the endpoints, as wide as their share,
 * laid out by lib/views/nat-layout and drawn by React. Dashed bands hold only for some packets (or
 * are picked by a packet field); the tables below say which, with the rules.
 */
export function NatDiagram({
  flows,
  svgId,
  title,
}: {
  flows: readonly NatDnatFlow[];
  svgId: string;
  title: string;
}) {
  const layout = useMemo(() => natLayout(flows), [flows]);
  return (
    <svg
      id={svgId}
      className="nat-diagram"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      data-testid={testIds.natDiagram}
      role="img"
      aria-labelledby={`${svgId}-title`}
    >
      <title id={`${svgId}-title`}>{title}</title>
      {layout.links.map((l) => (
        <path
          key={l.id}
          d={l.path}
          strokeWidth={l.width}
          className={`nat-diagram__band nat-diagram__band--${l.kind}${l.conditional ? ' nat-diagram__band--conditional' : ''}`}
        />
      ))}
      {layout.nodes.map((n) => (
        <g
          key={n.id}
          transform={`translate(${n.x},${n.y})`}
          className={`nat-diagram__node nat-diagram__node--${n.kind}${n.uncertain ? ' nat-diagram__node--uncertain' : ''}`}
        >
          <rect width={natNodeWidth} height={n.height} rx={6} />
          <text x={10} y={17} className="nat-diagram__title">
            {clip(n.title)}
          </text>
          <text x={10} y={33} className="nat-diagram__detail">
            {clip(n.uncertain ? `${n.detail} · not certain` : n.detail)}
          </text>
        </g>
      ))}
      {layout.links.map((l) => (
        <text key={`${l.id}-label`} x={l.labelX} y={l.labelY} className="nat-diagram__label">
          {clip(l.label)}
        </text>
      ))}
    </svg>
  );
}

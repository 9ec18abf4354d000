'use client';

import { select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ChainGraph, GraphNode } from '@/lib/views/chain-graph';
import { countText } from '@/lib/views/format';
import { graphLayout, nodeHeight, nodeWidth } from '@/lib/views/graph-layout';
import { ArrowMarker } from '../arrow-marker';
import { testIds } from '../test-ids';

const maxHeight = 560;
const minHeight = 180;
// Below this the chain names are no longer readable: the rest is reached by panning.
const minFitScale = 0.6;
const maxLabel = 32;
const clip = (s: string) => (s.length > maxLabel ? `${s.slice(0, maxLabel - 1)}…` : s);

function nodeDetail(n: GraphNode): string {
  if (n.kind === 'group') {
    return `${countText(n.members)} of ${countText(n.familySize)} chains folded · ${countText(n.rules)} rules`;
  }
  const parts = [`${countText(n.rules)} rule${n.rules === 1 ? '' : 's'}`];
  if (n.policy) parts.push(n.policy);
  if (n.hook) parts.push(`${n.hook} ${n.priority}`);
  return parts.join(' · ');
}

function nodeLabel(n: GraphNode, selected: boolean): string {
  if (n.kind === 'group')
    return `Chain family ${n.label}: ${nodeDetail(n)}. Activate to show its first chains.`;
  return `Chain ${n.label}: ${nodeDetail(n)}${selected ? ' (shown below)' : '. Activate to show its rules.'}`;
}

/**
 * The jump/goto graph of a table, laid out by lib/views/graph-layout and drawn by React; d3-zoom only
 * turns wheel and drag into the transform of one group. Every node is a keyboard-reachable button.
 */
export function ChainGraphView({
  graph,
  selected,
  svgId,
  onSelectChain,
  onExpandFamily,
}: {
  graph: ChainGraph;
  selected: string | null;
  svgId: string;
  onSelectChain: (chain: string) => void;
  onExpandFamily: (family: string) => void;
}) {
  const layout = useMemo(() => graphLayout(graph.nodes, graph.edges), [graph]);
  const svgRef = useRef<SVGSVGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const [transform, setTransform] = useState<ZoomTransform>(zoomIdentity);
  const [height, setHeight] = useState(maxHeight);

  const fit = () => {
    const svg = svgRef.current;
    if (!svg || !zoomRef.current) return;
    const width = svg.clientWidth || 900;
    const k = Math.max(minFitScale, Math.min(1, width / layout.width, maxHeight / layout.height));
    setHeight(Math.max(minHeight, Math.min(maxHeight, Math.ceil(layout.height * k) + 8)));
    select(svg).call(zoomRef.current.transform, zoomIdentity.scale(k));
  };

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const behavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.1, 3])
      .on('zoom', (event: { transform: ZoomTransform }) => setTransform(event.transform));
    zoomRef.current = behavior;
    const selection = select(svg);
    selection.call(behavior).on('dblclick.zoom', null);
    return () => {
      selection.on('.zoom', null);
    };
  }, []);

  // A new graph (another table, an expanded family) starts fitted.
  useEffect(fit, [layout]);

  const scaleBy = (factor: number) => {
    const svg = svgRef.current;
    if (svg && zoomRef.current) select(svg).call(zoomRef.current.scaleBy, factor);
  };

  const activate = (n: GraphNode) => {
    if (n.kind === 'group' && n.family) onExpandFamily(n.family);
    else if (n.chain) onSelectChain(n.chain);
  };
  const onKey = (e: KeyboardEvent, n: GraphNode) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      activate(n);
    }
  };

  return (
    <div className="graph" data-testid={testIds.chainGraph}>
      <div className="graph__tools" role="toolbar" aria-label="Graph zoom">
        <button type="button" onClick={() => scaleBy(1.25)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => scaleBy(0.8)} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={fit}>
          Fit
        </button>
        <span className="muted">
          {countText(graph.chains)} chains; families of {graph.foldAt} or more are folded (dashed). Drag to
          pan, wheel to zoom.
        </span>
      </div>
      <svg
        id={svgId}
        ref={svgRef}
        className="graph__svg"
        width="100%"
        height={height}
        data-export-width={layout.width}
        data-export-height={layout.height}
        aria-labelledby={`${svgId}-title`}
      >
        <title id={`${svgId}-title`}>{`Jumps and gotos between the chains of ${graph.table}`}</title>
        <ArrowMarker id={`${svgId}-arrow`} size={6} className="graph__arrowhead" />
        <g data-zoom="" transform={transform.toString()}>
          {layout.edges.map(({ edge, path, labelX, labelY }) => {
            const n = edge.jumps + edge.gotos;
            return (
              <g key={`${edge.from}>${edge.to}`} className="graph__edge">
                <path
                  d={path}
                  className={edge.jumps === 0 ? 'graph__link graph__link--goto' : 'graph__link'}
                  markerEnd={`url(#${svgId}-arrow)`}
                />
                {n > 1 && (
                  <text x={labelX} y={labelY} textAnchor="middle" className="graph__edge-label">
                    {`×${countText(n)}${edge.gotos && edge.jumps ? ` (${countText(edge.gotos)} goto)` : ''}${edge.viaMap ? ' map' : ''}`}
                  </text>
                )}
              </g>
            );
          })}
          {layout.nodes.map(({ node, x, y }) => {
            const isSelected = node.chain !== null && node.chain === selected;
            return (
              <g
                key={node.id}
                transform={`translate(${x},${y})`}
                className={`graph__node graph__node--${node.kind}${node.builtin ? ' graph__node--builtin' : ''}${isSelected ? ' graph__node--selected' : ''}`}
                role="button"
                tabIndex={0}
                aria-label={nodeLabel(node, isSelected)}
                aria-pressed={node.kind === 'chain' ? isSelected : undefined}
                onClick={() => activate(node)}
                onKeyDown={(e) => onKey(e, node)}
              >
                <rect width={nodeWidth} height={nodeHeight} rx={6} />
                <text x={10} y={19} className="graph__node-name">
                  {clip(node.label)}
                </text>
                <text x={10} y={36} className="graph__node-detail">
                  {nodeDetail(node)}
                </text>
              </g>
            );
          })}
        </g>
      </svg>
    </div>
  );
}

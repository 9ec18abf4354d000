import type { Pipeline } from './netfilter-pipeline';

/**
 * Where the pipeline diagram draws each hook: the classic netfilter picture, received and forwarded
 * packets along the top (PREROUTING, routing decision, FORWARD, POSTROUTING), local delivery and
 * locally generated packets along the bottom (INPUT, the local process, routing, OUTPUT), with
 * arrows in the order the kernel runs them.
 */

export const hookBoxWidth = 264;
export const hookHeaderHeight = 30;
export const entryHeight = 40;
const emptyBodyHeight = 26;
const gap = 44;
const routingSize = 60;
const localWidth = 100;
const margin = 24;

export interface PipelineBox {
  id: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'route-in' | 'route-out' | 'local';
  kind: 'hook' | 'routing' | 'local';
  label: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PipelineArrow {
  id: string;
  path: string;
  label: string | null;
  labelX: number;
  labelY: number;
}

export interface PipelineLayout {
  width: number;
  height: number;
  boxes: PipelineBox[];
  arrows: PipelineArrow[];
}

export function hookBoxHeight(entries: number): number {
  return hookHeaderHeight + (entries === 0 ? emptyBodyHeight : entries * entryHeight) + 8;
}

export function pipelineLayout(pipeline: Pipeline): PipelineLayout {
  const count = (hook: string) => pipeline.hooks.find((h) => h.hook === hook)?.entries.length ?? 0;
  const topH = Math.max(...['prerouting', 'forward', 'postrouting'].map((h) => hookBoxHeight(count(h))));
  const bottomH = Math.max(...['input', 'output'].map((h) => hookBoxHeight(count(h))));

  const x0 = margin + 40; // room for the incoming arrow
  const xRouteIn = x0 + hookBoxWidth + gap;
  const x2 = xRouteIn + routingSize + gap;
  const xLocal = x2 + hookBoxWidth + gap;
  const xRouteOut = xLocal + localWidth + gap;
  const x4 = xRouteOut + routingSize + gap;
  const y0 = margin;
  const y1 = y0 + topH + gap * 1.5;
  const mid0 = y0 + hookHeaderHeight / 2;
  const mid1 = y1 + hookHeaderHeight / 2;

  const hook = (id: PipelineBox['id'], label: string, x: number, y: number): PipelineBox => ({
    id,
    kind: 'hook',
    label,
    x,
    y,
    w: hookBoxWidth,
    h: hookBoxHeight(count(id)),
  });
  const boxes: PipelineBox[] = [
    hook('prerouting', 'PREROUTING', x0, y0),
    {
      id: 'route-in',
      kind: 'routing',
      label: 'routing decision',
      x: xRouteIn,
      y: mid0 - routingSize / 2,
      w: routingSize,
      h: routingSize,
    },
    hook('forward', 'FORWARD', x2, y0),
    hook('postrouting', 'POSTROUTING', x4, y0),
    hook('input', 'INPUT', x2, y1),
    {
      id: 'local',
      kind: 'local',
      label: 'local process',
      x: xLocal,
      y: y1,
      w: localWidth,
      h: hookHeaderHeight * 2,
    },
    {
      id: 'route-out',
      kind: 'routing',
      label: 'routing decision',
      x: xRouteOut,
      y: mid1 - routingSize / 2,
      w: routingSize,
      h: routingSize,
    },
    hook('output', 'OUTPUT', x4, y1),
  ];

  const arrow = (id: string, points: [number, number][], label: string | null = null): PipelineArrow => {
    const [a, b] = [points[0]!, points[1]!];
    return {
      id,
      path: points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x},${y}`).join(' '),
      label,
      labelX: (a[0] + b[0]) / 2,
      labelY: (a[1] + b[1]) / 2 - 6,
    };
  };
  const arrows: PipelineArrow[] = [
    arrow(
      'in',
      [
        [margin, mid0],
        [x0, mid0],
      ],
      'in',
    ),
    arrow('pre-route', [
      [x0 + hookBoxWidth, mid0],
      [xRouteIn, mid0],
    ]),
    arrow(
      'route-forward',
      [
        [xRouteIn + routingSize, mid0],
        [x2, mid0],
      ],
      'not local',
    ),
    arrow(
      'route-input',
      [
        [xRouteIn + routingSize / 2, mid0 + routingSize / 2],
        [xRouteIn + routingSize / 2, mid1],
        [x2, mid1],
      ],
      'local',
    ),
    arrow('forward-post', [
      [x2 + hookBoxWidth, mid0],
      [x4, mid0],
    ]),
    arrow('input-local', [
      [x2 + hookBoxWidth, mid1],
      [xLocal, mid1],
    ]),
    arrow('local-route', [
      [xLocal + localWidth, mid1],
      [xRouteOut, mid1],
    ]),
    arrow('route-output', [
      [xRouteOut + routingSize, mid1],
      [x4, mid1],
    ]),
    arrow('output-post', [
      [x4 + hookBoxWidth / 2, y1],
      [x4 + hookBoxWidth / 2, y0 + hookBoxHeight(count('postrouting'))],
    ]),
    arrow(
      'out',
      [
        [x4 + hookBoxWidth, mid0],
        [x4 + hookBoxWidth + 40, mid0],
      ],
      'out',
    ),
  ];

  return {
    width: x4 + hookBoxWidth + 40 + margin,
    height: y1 + bottomH + margin,
    boxes,
    arrows,
  };
}

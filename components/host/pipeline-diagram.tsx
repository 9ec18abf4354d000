import type { Pipeline, PipelineEntry } from '@/lib/views/netfilter-pipeline';
import { pipelineTies } from '@/lib/views/netfilter-pipeline';
import { entryHeight, hookHeaderHeight, pipelineLayout, type PipelineBox } from '@/lib/views/pipeline-layout';
import { countText } from '@/lib/views/format';
import type { Subject } from '@/lib/views/host-overview';
import { chainHref } from '@/lib/views/urls';
import { ArrowMarker } from '../arrow-marker';
import { ScrollRegion } from '../scroll-region';
import { testIds } from '../test-ids';

const maxChars = 36;
const clip = (s: string) => (s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s);

function entryTable(e: PipelineEntry): string {
  const backend = e.backend ? ` (${e.backend})` : '';
  return e.engine === 'iptables' ? `iptables ${e.tableName}${backend}` : `nft ${e.family} ${e.tableName}`;
}

function HookBox({
  box,
  entries,
  subject,
}: {
  box: PipelineBox;
  entries: readonly PipelineEntry[];
  subject: Subject;
}) {
  const ties = pipelineTies(entries);
  return (
    <g className="pipeline__hook">
      <rect x={box.x} y={box.y} width={box.w} height={box.h} rx={6} className="pipeline__box" />
      <text x={box.x + 10} y={box.y + 20} className="pipeline__hook-name">
        {box.label}
      </text>
      {entries.length === 0 && (
        <text x={box.x + 10} y={box.y + hookHeaderHeight + 16} className="pipeline__empty">
          no base chain on this hook
        </text>
      )}
      {entries.map((e, i) => {
        const y = box.y + hookHeaderHeight + i * entryHeight;
        const label = `${entryTable(e)} chain ${e.chain}, priority ${e.priorityText}, ${e.rules} rules${e.policy ? `, policy ${e.policy}` : ''}`;
        return (
          <a
            key={`${e.table}/${e.chain}`}
            href={chainHref(subject, e.table, e.chain)}
            aria-label={label}
            className="pipeline__entry"
          >
            <title>{label}</title>
            <rect
              x={box.x + 4}
              y={y}
              width={box.w - 8}
              height={entryHeight - 4}
              rx={4}
              className="pipeline__entry-box"
            />
            <text x={box.x + 10} y={y + 15} className="pipeline__entry-table">
              {clip(entryTable(e))}
            </text>
            <text x={box.x + box.w - 10} y={y + 15} textAnchor="end" className="pipeline__entry-priority">
              {ties.has(e) ? '= ' : ''}
              {e.priorityText}
            </text>
            <text x={box.x + 10} y={y + 30} className="pipeline__entry-chain">
              {clip(
                `${e.chain} · ${countText(e.rules)} rule${e.rules === 1 ? '' : 's'}${e.policy ? ` · ${e.policy}` : ''}`,
              )}
            </text>
          </a>
        );
      })}
    </g>
  );
}

/**
 * The hooks as the kernel runs them, with every table and base chain at each hook in priority order
 * and its rule count; each entry links to its chain. Drawn on the server: it needs no interaction.
 */
export function PipelineDiagram({
  pipeline,
  subject,
  svgId,
}: {
  pipeline: Pipeline;
  subject: Subject;
  svgId: string;
}) {
  const layout = pipelineLayout(pipeline);
  const entriesOf = (hook: string) => pipeline.hooks.find((h) => h.hook === hook)?.entries ?? [];
  const familyName = pipeline.family === 'ip' ? 'IPv4' : 'IPv6';
  return (
    <ScrollRegion className="diagram-scroll" label={`Netfilter pipeline, ${familyName}`}>
      <svg
        id={svgId}
        className="pipeline"
        width="100%"
        style={{ maxWidth: layout.width }}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        data-testid={testIds.pipelineDiagram}
        aria-labelledby={`${svgId}-title`}
      >
        <title id={`${svgId}-title`}>
          {`Netfilter pipeline for ${familyName} on ${subject.pod ?? subject.host}: hooks in the order the kernel runs them, base chains in priority order`}
        </title>
        <ArrowMarker id={`${svgId}-arrow`} size={7} className="pipeline__arrowhead" />
        {layout.arrows.map((a) => (
          <g key={a.id}>
            <path d={a.path} className="pipeline__arrow" markerEnd={`url(#${svgId}-arrow)`} />
            {a.label && (
              <text x={a.labelX} y={a.labelY} textAnchor="middle" className="pipeline__arrow-label">
                {a.label}
              </text>
            )}
          </g>
        ))}
        {layout.boxes.map((box) => {
          if (box.kind === 'hook')
            return <HookBox key={box.id} box={box} entries={entriesOf(box.id)} subject={subject} />;
          if (box.kind === 'routing') {
            const cx = box.x + box.w / 2;
            const cy = box.y + box.h / 2;
            return (
              <g key={box.id} className="pipeline__routing">
                <polygon
                  points={`${cx},${box.y} ${box.x + box.w},${cy} ${cx},${box.y + box.h} ${box.x},${cy}`}
                  className="pipeline__diamond"
                />
                <text x={cx} y={cy - 2} textAnchor="middle" className="pipeline__small">
                  routing
                </text>
                <text x={cx} y={cy + 10} textAnchor="middle" className="pipeline__small">
                  decision
                </text>
              </g>
            );
          }
          return (
            <g key={box.id}>
              <rect
                x={box.x}
                y={box.y}
                width={box.w}
                height={box.h}
                rx={box.h / 2}
                className="pipeline__local"
              />
              <text
                x={box.x + box.w / 2}
                y={box.y + box.h / 2 + 4}
                textAnchor="middle"
                className="pipeline__small"
              >
                local process
              </text>
            </g>
          );
        })}
      </svg>
    </ScrollRegion>
  );
}

import type { ChainVisit, KernelHop, KernelPath, TraceStep } from './kernel-path-types';

/**
 * A kernel path as short lines, for test failures, logs and a side-by-side look with the simulator.
 * Counters are left out of rule texts: they are whatever the rule had when the monitor started.
 */

/** `counter packets 3 bytes 180` → `counter`, the rest of the text unchanged. */
export function ruleTextWithoutCounters(text: string): string {
  return text.replace(/\bcounter packets \d+ bytes \d+/g, 'counter');
}

function stepText(s: TraceStep): string {
  if (s.kind === 'policy') return `policy ${s.verdict}`;
  if (s.kind === 'return') return `${s.chain} ends: ${s.verdict}`;
  const text = s.ruleText === null ? 'unknown rule' : `'${ruleTextWithoutCounters(s.ruleText)}'`;
  return `${text}${s.handle === null ? '' : ` #${s.handle}`} -> ${s.verdict}`;
}

/** One base chain: every matched rule (terminal or not) and the policy, in order. */
export function chainVisitLine(v: ChainVisit): string {
  const steps = v.steps.length > 0 ? v.steps.map(stepText).join('; ') : 'no verdict traced';
  const mark = v.markAtEnd === null ? '' : ` (mark 0x${v.markAtEnd.toString(16)})`;
  return `${v.hook ?? '?'} ${v.family} ${v.table} ${v.chains.join(' > ')}: ${steps}${mark}`;
}

function hopHeader(h: KernelHop): string {
  const where = h.entry === 'received' ? `received on ${h.iif ?? '?'}` : 'originated';
  const end =
    h.end === 'left'
      ? `left by ${h.oif ?? '?'}`
      : h.end === 'vanished'
        ? `vanished: ${h.endReason ?? ''}`
        : h.end;
  return `${h.netns}: ${where}, ttl ${h.ttl ?? '?'}, ${h.hooks.join(' > ')}; ${end}`;
}

export function kernelPathLines(path: KernelPath): string[] {
  const lines: string[] = [`${path.direction}: ${path.disposition}`];
  for (const h of path.hops) {
    lines.push(hopHeader(h));
    for (const v of h.visits) lines.push(`  ${chainVisitLine(v)}`);
    for (const c of h.changes) {
      const untraced = path.direction === 'reply' ? 'by conntrack (no traced rule)' : 'by no traced rule';
      const by = c.field === 'oif' ? '(rerouted)' : c.by ? `by ${c.by.table} ${c.by.chain}` : untraced;
      lines.push(`  ${c.field} ${c.from ?? '-'} -> ${c.to ?? '-'} at ${c.hook ?? '?'} ${by}`);
    }
  }
  for (const n of path.notes) lines.push(`note: ${n}`);
  return lines;
}

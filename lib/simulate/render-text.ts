import type { PacketView, TraceLeg, TraceResult, TraceStep } from './result';

/** The trace as a readable step list, for `packetlens trace` without --json. */

function endpoint(addr: string, port: number | null): string {
  const a = addr.includes(':') ? `[${addr}]` : addr;
  return port === null ? addr : `${a}:${port}`;
}

function packetText(p: PacketView): string {
  const parts = [`${endpoint(p.src, p.sport)} → ${endpoint(p.dst, p.dport)}`];
  if (p.iif) parts.push(`in ${p.iif}`);
  if (p.oif) parts.push(`out ${p.oif}`);
  if (p.mark) parts.push(`mark 0x${p.mark.toString(16)}`);
  return parts.join(' ');
}

function stepText(s: TraceStep, n: number): string[] {
  const where = [s.hook, s.family, s.table, s.chain].filter((x) => x !== null && x !== '').join(' ');
  const lines = [
    `${String(n).padStart(3)}. [${s.host}] ${where}: ${s.verdict}${s.changed.length ? `  (${s.changed.join(', ')} changed)` : ''}`,
  ];
  if (s.rule)
    lines.push(
      `       ${s.rule.line !== null ? `line ${s.rule.line}` : `handle ${s.rule.handle ?? '?'}`}, rule ${s.rule.index}: ${s.rule.text}`,
    );
  lines.push(`       packet: ${packetText(s.packet)}`);
  if (s.note) lines.push(`       note: ${s.note}`);
  return lines;
}

function legText(leg: TraceLeg): string[] {
  const lines: string[] = [];
  leg.steps.forEach((s, i) => lines.push(...stepText(s, i + 1)));
  const f = leg.final;
  lines.push(
    `  => ${leg.disposition}: ${leg.verdict} (at ${f.host}, ${endpoint(f.src, f.sport)} → ${endpoint(f.dst, f.dport)}${f.oif ? ` out ${f.oif}` : ''})`,
  );
  return lines;
}

export function traceText(r: TraceResult): string {
  const q = r.query;
  const lines = [
    `packet: ${q.proto} ${endpoint(r.resolved.src, q.sport)} → ${endpoint(r.resolved.dst, r.resolved.dport)}${q.dst !== r.resolved.dst ? ` (${q.dst})` : ''} from ${r.resolved.host}, ${q.state}`,
    `${r.paths.length} path${r.paths.length === 1 ? '' : 's'}`,
  ];
  r.paths.forEach((p, i) => {
    lines.push(
      '',
      `path ${i + 1}: probability ${(p.probability * 100).toFixed(2)}% — ${p.disposition}${p.choices.length ? ` (${p.choices.join('; ')})` : ''}`,
    );
    lines.push(...legText(p));
    if (p.reply) {
      lines.push('  reply:');
      lines.push(...legText(p.reply));
    }
  });
  return lines.join('\n');
}

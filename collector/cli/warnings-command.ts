import { snapshotWarnings } from '../../lib/analyze/warnings';
import { parseCommandArgs } from './args';
import { defaultCalibrationFile, readCalibration } from './calibration-file';
import { UsageError } from './cli-error';
import { readSnapshotFile } from './snapshot-file';

export const warningsHelp = `Usage: packetlens warnings SNAPSHOT.json [--json] [--calibration FILE]

Performance and hygiene warnings of the snapshot's host (not its pods). Each has an id, a severity,
the measured number, the threshold it crossed, why it matters with its public source, and what helps.
The thresholds are one table with their sources: lib/analyze/thresholds.ts.
  rule counts per table and host, the longest chain, the KUBE-SERVICES scan, the rules a new
  connection evaluates before its service (worst and mean), the expected iptables-restore time of
  each dump, endpoints per service and in all, rules in both iptables backends, conntrack use
  against nf_conntrack_max, repeated rules, rules an earlier rule always catches (shadowed), chains
  nothing jumps to (stale kube-proxy chains apart), jumps to empty chains, DNAT to unroutable addresses

Options:
  --json              print { host, warnings: [...], measurements, calibration, notChecked, shadowingBounded }
  --calibration FILE  iptables-restore timings (default: ${defaultCalibrationFile}, written by
                      npm run bench:analyze, when present; else the figures of shared/docs/SCALING.md)
  -h, --help          this help`;

function number(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

export async function warningsCommand(argv: string[], stdout: (s: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    json: { type: 'boolean' },
    calibration: { type: 'string' },
  });
  if (values.help) return stdout(warningsHelp);
  if (positionals.length !== 1) throw new UsageError('expected exactly one SNAPSHOT.json (see --help)');
  const snapshot = await readSnapshotFile(positionals[0]!);
  const calibration = await readCalibration(values.calibration);
  const result = snapshotWarnings(snapshot, { calibration });
  if (values.json) return stdout(JSON.stringify(result, null, 2));
  const counts = (['critical', 'warning', 'info'] as const)
    .map((s) => [s, result.warnings.filter((w) => w.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const lines = [
    `host ${result.host}: ${result.warnings.length} warnings${counts.length ? ` (${counts.join(', ')})` : ''}`,
  ];
  for (const w of result.warnings) {
    lines.push('', `${w.severity.toUpperCase().padEnd(8)} ${w.id}  ${w.subject}: ${w.message}`);
    lines.push(`         why: ${w.reason}`);
    lines.push(`         helps: ${w.action}`);
    for (const s of w.sources) lines.push(`         source: ${s.title} <${s.url}>: ${s.says}`);
    for (const r of w.rules.slice(0, 5)) lines.push(`         rule: ${r.text}`);
    if (w.rules.length > 5 || w.more)
      lines.push(`         ... ${w.rules.length - 5 + w.more} more rules (--json lists them)`);
  }
  const m = result.measurements;
  lines.push(
    '',
    `measured: ${number(m.rulesTotal)} rules, ${number(m.services)} kube-proxy services, ${number(m.endpoints)} endpoints`,
  );
  for (const d of m.dumps)
    lines.push(
      `  ${d.family} (${d.backend}): ${number(d.rules)} rules, ${number(d.bytes)} bytes, restore about ${number(d.restoreSeconds)} s` +
        (d.firstPacket
          ? `; a new connection evaluates up to ${number(d.firstPacket.worst)} nat rules (mean ${number(d.firstPacket.expected)})`
          : ''),
    );
  if (m.conntrack)
    lines.push(
      `  conntrack: ${number(m.conntrack.count)} of ${number(m.conntrack.max)} (${m.conntrack.percent.toFixed(1)} %)`,
    );
  const c = result.calibration;
  lines.push(
    `restore times from: ${c.origin === 'measured' ? `a measurement of ${c.measuredAt}` : 'the default'} (${c.machine}; seconds = ${c.model.coefficient.toPrecision(4)} x rules^${c.model.exponent.toFixed(3)})`,
  );
  for (const n of result.notChecked) lines.push(`not checked: ${n}`);
  for (const b of result.shadowingBounded)
    lines.push(
      `shadowing checked partly in ${b.family}/${b.table} ${b.chain}: ${b.skipped} rules met the comparison bound`,
    );
  stdout(lines.join('\n'));
}

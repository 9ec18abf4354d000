import type { Growth } from '../../lib/analyze/growth';
import { groupGrowth, hostGrowth } from '../../lib/analyze/growth';
import { defaultStoreFile, openStore } from '../store/sqlite-store';
import type { HistoryPoint } from '../store/store';
import { parseCommandArgs } from './args';
import { CliError, UsageError } from './cli-error';

export const historyHelp = `Usage: packetlens history HOST [--db FILE] [--json]

Rule counts, chains and the longest chain of HOST at every collection, oldest first; then growth:
for the host and for each of its labels (the largest host of the label at each run), each measure's
rate per day and when at that rate it crosses each warning threshold (lib/analyze/thresholds.ts).

Options:
  --db FILE    store (default: ${defaultStoreFile})
  --json       print { host, points: [...], growth: { host, labels: [...] } }
  -h, --help   this help`;

function number(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function growthLines(g: Growth): string[] {
  const lines: string[] = [];
  for (const m of g.metrics) {
    if (m.latest === null) continue;
    const rate =
      m.perDay === null
        ? 'rate unknown (one collection time)'
        : `${m.perDay >= 0 ? '+' : ''}${number(m.perDay)}/day`;
    const next = m.crossings.find((c) => c.projectedAt !== null);
    const crossed = m.crossings.filter((c) => c.crossedAt !== null).pop();
    const notes = [
      crossed ? `above ${number(crossed.level)} (${crossed.severity}) since ${crossed.crossedAt}` : null,
      next
        ? `${next.severity} above ${number(next.level)} in ${number(next.inDays!)} days (${next.projectedAt!.slice(0, 10)})`
        : null,
    ].filter((x) => x !== null);
    lines.push(
      `  ${m.metric.padEnd(20)} ${number(m.latest).padStart(10)} ${m.unit.padEnd(10)} ${rate.padEnd(14)} ${notes.join('; ')}`,
    );
  }
  return lines;
}

export async function historyCommand(argv: string[], stdout: (s: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    db: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) return stdout(historyHelp);
  if (positionals.length !== 1) throw new UsageError('expected exactly one HOST (see --help)');
  const host = positionals[0]!;
  const store = openStore(values.db ?? defaultStoreFile);
  try {
    const hosts = store.hostsList();
    const me = hosts.find((h) => h.name === host);
    if (!me) throw new CliError(`no host named '${host}' in ${store.location}`);
    // Per-chain counts give KUBE-SERVICES' growth; the points printed leave them out (thousands of chains).
    const detailed = store.historyOf(host, { byChain: true });
    const points: HistoryPoint[] = detailed.map(({ byChain: _byChain, ...p }) => p);
    const labels = Object.entries(me.labels).map(([k, v]) => {
      const members = hosts.filter((h) => h.labels[k] === v && h.kind === me.kind);
      return groupGrowth(`${k}=${v}`, new Map(members.map((h) => [h.name, store.historyOf(h.name)])));
    });
    const growth = { host: hostGrowth(host, detailed), labels };
    if (values.json) return stdout(JSON.stringify({ host, points, growth }, null, 2));
    const lines = points.map((p) => {
      const longest = p.longestChain
        ? `${p.longestChain.family}/${p.longestChain.table} ${p.longestChain.chain} (${p.longestChain.rules})`
        : '-';
      return `${p.collectedAt}  rules ${String(p.rulesTotal).padStart(7)}  chains ${String(p.chains).padStart(6)}  longest ${longest}`;
    });
    if (!lines.length) return stdout(`${host}: no successful collection yet`);
    lines.push('', `growth of ${host}:`, ...growthLines(growth.host));
    for (const g of labels)
      lines.push(
        '',
        `growth of ${g.subject} (${g.hosts.length} hosts, the largest at each run):`,
        ...growthLines(g),
      );
    stdout(lines.join('\n'));
  } finally {
    store.close();
  }
}

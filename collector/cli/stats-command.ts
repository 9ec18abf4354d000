import { snapshotStats } from '../../lib/snapshot/stats';
import { parseCommandArgs } from './args';
import { UsageError } from './cli-error';
import { readSnapshotFile } from './snapshot-file';

export const statsHelp = `Usage: packetlens stats SNAPSHOT.json [--json] [--all-chains]

Rule counts per family, table and chain, the number of chains and the longest chain. Rules that
iptables-nft shows in both the iptables and the nft view are counted once.

Options:
  --json         print { rules: { total, byTable, byChain }, chains, longestChain }
  --all-chains   list every chain (default: the 20 longest)
  -h, --help     this help`;

export async function statsCommand(argv: string[], stdout: (s: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    json: { type: 'boolean' },
    'all-chains': { type: 'boolean' },
  });
  if (values.help) return stdout(statsHelp);
  if (positionals.length !== 1) throw new UsageError('expected exactly one SNAPSHOT.json (see --help)');
  const snapshot = await readSnapshotFile(positionals[0]!);
  const stats = snapshotStats(snapshot);
  if (values.json) return stdout(JSON.stringify(stats, null, 2));
  const lines = [`host: ${snapshot.host.name}`, `rules: ${stats.rules.total}`, `chains: ${stats.chains}`];
  const l = stats.longestChain;
  lines.push(`longest chain: ${l ? `${l.family}/${l.table} ${l.chain} (${l.rules} rules)` : 'none'}`);
  lines.push('', 'rules by table:');
  for (const [table, n] of Object.entries(stats.rules.byTable))
    lines.push(`  ${table.padEnd(28)} ${String(n).padStart(8)}`);
  const chains = Object.entries(stats.rules.byChain).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = values['all-chains'] ? chains : chains.slice(0, 20);
  lines.push(
    '',
    values['all-chains']
      ? 'rules by chain:'
      : `rules by chain (${shown.length} longest of ${chains.length}; --all-chains for all):`,
  );
  for (const [chain, n] of shown) lines.push(`  ${chain.padEnd(60)} ${String(n).padStart(8)}`);
  stdout(lines.join('\n'));
}

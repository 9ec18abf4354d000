import { defaultStoreFile, openStore } from '../store/sqlite-store';
import { parseCommandArgs } from './args';
import { CliError, UsageError } from './cli-error';

export const historyHelp = `Usage: packetlens history HOST [--db FILE] [--json]

Rule counts, chains and the longest chain of HOST at every collection, oldest first.

Options:
  --db FILE    store (default: ${defaultStoreFile})
  --json       print { host, points: [...] }
  -h, --help   this help`;

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
    if (!store.hostsList().some((h) => h.name === host))
      throw new CliError(`no host named '${host}' in ${store.location}`);
    const points = store.historyOf(host);
    if (values.json) return stdout(JSON.stringify({ host, points }, null, 2));
    const lines = points.map((p) => {
      const longest = p.longestChain
        ? `${p.longestChain.family}/${p.longestChain.table} ${p.longestChain.chain} (${p.longestChain.rules})`
        : '-';
      return `${p.collectedAt}  rules ${String(p.rulesTotal).padStart(7)}  chains ${String(p.chains).padStart(6)}  longest ${longest}`;
    });
    stdout(lines.length ? lines.join('\n') : `${host}: no successful collection yet`);
  } finally {
    store.close();
  }
}

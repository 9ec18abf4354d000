import { defaultStoreFile, openStore } from '../store/sqlite-store';
import { parseCommandArgs } from './args';
import { UsageError } from './cli-error';

export const hostsHelp = `Usage: packetlens hosts [--db FILE] [--json]

The last collection of every host: fresh, stale (its last good snapshot is kept) or failed, and why.

Options:
  --db FILE    store (default: ${defaultStoreFile})
  --json       print the list as JSON
  -h, --help   this help`;

export async function hostsCommand(argv: string[], stdout: (s: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    db: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) return stdout(hostsHelp);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (see --help)`);
  const store = openStore(values.db ?? defaultStoreFile);
  try {
    const hosts = store.hostsList();
    if (values.json) return stdout(JSON.stringify(hosts, null, 2));
    if (hosts.length === 0) return stdout('no hosts collected yet: run packetlens collect');
    const lines = hosts.map((h) => {
      const why =
        h.state === 'stale' || h.state === 'failed' ? ` (${h.reason.kind}: ${h.reason.message})` : '';
      const pods = h.pods.length ? `, ${h.pods.length} pods` : '';
      return `${h.name.padEnd(24)} ${h.state.padEnd(8)} last collected ${h.lastSeen ?? 'never'}${pods}${why}`;
    });
    stdout(lines.join('\n'));
  } finally {
    store.close();
  }
}

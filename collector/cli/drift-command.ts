import { snapshotsDrift } from '../../lib/analyze/drift';
import type { Snapshot } from '../../lib/model/snapshot';
import { defaultStoreFile, openStore } from '../store/sqlite-store';
import { parseCommandArgs } from './args';
import { CliError, UsageError } from './cli-error';
import { readSnapshotFile } from './snapshot-file';

export const driftHelp = `Usage: packetlens drift --label KEY=VALUE [--db FILE] [--json]
       packetlens drift SNAPSHOT.json SNAPSHOT.json... [--json]

Drift across hosts that should be alike: the rules only some of them hold (by table, chain and rule
text, counters aside) and the chains only some of them have. With --label, the latest snapshot of
every host in the store whose inventory labels include KEY=VALUE (e.g. cluster=prod).

Options:
  --label KEY=VALUE  compare the hosts of the store with this label
  --db FILE          store (default: ${defaultStoreFile})
  --json             print { label, hosts, rulesCompared, rules: [...], moreRules, chains }
  -h, --help         this help`;

export async function driftCommand(argv: string[], stdout: (s: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    label: { type: 'string' },
    db: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) return stdout(driftHelp);
  let snapshots: Snapshot[] = [];
  const label = values.label ?? null;
  if (label !== null) {
    if (positionals.length) throw new UsageError('give either --label or snapshot files (see --help)');
    const eq = label.indexOf('=');
    if (eq <= 0) throw new UsageError(`--label must be KEY=VALUE, not '${label}'`);
    const [key, value] = [label.slice(0, eq), label.slice(eq + 1)];
    const store = openStore(values.db ?? defaultStoreFile);
    try {
      for (const h of store.hostsList())
        if (h.labels[key] === value) {
          const latest = store.snapshotLatest(h.name);
          if (latest) snapshots.push(latest.snapshot);
        }
    } finally {
      store.close();
    }
    if (snapshots.length < 2)
      throw new CliError(
        `${snapshots.length} collected hosts have the label ${label}: drift needs two or more`,
      );
  } else {
    if (positionals.length < 2)
      throw new UsageError('expected two or more SNAPSHOT.json, or --label (see --help)');
    snapshots = await Promise.all(positionals.map((f) => readSnapshotFile(f)));
  }
  const d = snapshotsDrift(snapshots);
  if (values.json) return stdout(JSON.stringify({ label, ...d }, null, 2));
  const lines = [
    `${d.hosts.length} hosts (${d.hosts.join(', ')})${label ? ` with ${label}` : ''}: ${d.rules.length + d.moreRules} of ${d.rulesCompared} rules are not on every host; ${d.chains.length} chains are not on every host`,
  ];
  for (const c of d.chains)
    lines.push(
      `  chain ${c.table} ${c.chain}: on ${c.heldBy.join(', ')}; missing on ${c.missingOn.join(', ')}`,
    );
  for (const r of d.rules)
    lines.push(
      `  ${r.table} ${r.rule.text}: on ${r.heldBy.join(', ')}; missing on ${r.missingOn.join(', ')}`,
    );
  if (d.moreRules) lines.push(`  ... and ${d.moreRules} more rules (not listed)`);
  stdout(lines.join('\n'));
}

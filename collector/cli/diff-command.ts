import { snapshotDiff } from '../../lib/analyze/diff';
import { ruleRefLabel } from '../../lib/analyze/rule-ref';
import { routeText } from '../../lib/iproute/route-text';
import { defaultStoreFile, openStore } from '../store/sqlite-store';
import { parseCommandArgs } from './args';
import { UsageError } from './cli-error';
import { readSnapshotRef } from './snapshot-ref';

export const diffHelp = `Usage: packetlens diff A B [--json] [--db FILE]

What changed from A to B: rules added (+), removed (-) and moved (~) in each chain, chains added
and removed (kube-proxy chains whose hashed name changed but whose rules did not are matched and
shown as renamed), nft set and map elements, kube-proxy services and their endpoints, and routes.
Counters never count as a change. A and B are two snapshots of one host (what changed since
yesterday) or of two hosts (why does node 7 behave differently).

A and B are each a snapshot file, or HOST for the host's latest snapshot in the store, or
HOST@TIME for its latest collected at or before TIME (ISO 8601, e.g. node-1@2026-11-22T12:00Z).

Options:
  --json       print { a, b, chains: [...], sets, services, routes, summary }
  --db FILE    store for HOST references (default: ${defaultStoreFile})
  -h, --help   this help`;

export async function diffCommand(argv: string[], stdout: (s: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    json: { type: 'boolean' },
    db: { type: 'string' },
  });
  if (values.help) return stdout(diffHelp);
  if (positionals.length !== 2) throw new UsageError('expected A and B (see --help)');
  const store = () => openStore(values.db ?? defaultStoreFile);
  const a = await readSnapshotRef(positionals[0]!, store);
  const b = await readSnapshotRef(positionals[1]!, store);
  const d = snapshotDiff(a, b);
  if (values.json) return stdout(JSON.stringify(d, null, 2));
  const s = d.summary;
  const lines = [
    `${d.a.host} (${d.a.collectedAt}) -> ${d.b.host} (${d.b.collectedAt})`,
    `rules: +${s.rulesAdded} -${s.rulesRemoved} ~${s.rulesMoved} moved; chains: +${s.chainsAdded} -${s.chainsRemoved}, ${s.chainsRenamed} renamed; services: +${s.servicesAdded} -${s.servicesRemoved}; endpoints: +${s.endpointsAdded} -${s.endpointsRemoved}; routes: +${s.routesAdded} -${s.routesRemoved} ~${s.routesChanged}`,
  ];
  for (const c of d.chains) {
    const where = `${c.family}${c.backend === 'legacy' ? '@legacy' : ''}/${c.table} ${c.chain}`;
    lines.push('', `${c.status} chain ${where}${c.renamedFrom ? ` (was ${c.renamedFrom})` : ''}`);
    for (const r of c.removed) lines.push(`  - ${r.text}    [A ${ruleRefLabel(r)}]`);
    for (const r of c.added) lines.push(`  + ${r.text}    [B ${ruleRefLabel(r)}]`);
    for (const m of c.moved) lines.push(`  ~ ${m.rule.text}    [#${m.fromIndex} -> #${m.rule.index}]`);
  }
  for (const set of d.sets) {
    lines.push('', `${set.status} ${set.family}/${set.table} set ${set.set}`);
    for (const e of set.removed) lines.push(`  - ${e}`);
    for (const e of set.added) lines.push(`  + ${e}`);
  }
  if (d.services.added.length || d.services.removed.length || d.services.changed.length)
    lines.push('', 'services:');
  for (const x of d.services.added)
    lines.push(
      `  + ${x.service ?? x.chain} (${x.mode}, ${x.family}): ${x.endpoints.join(', ') || 'no endpoints'}`,
    );
  for (const x of d.services.removed)
    lines.push(
      `  - ${x.service ?? x.chain} (${x.mode}, ${x.family}): ${x.endpoints.join(', ') || 'no endpoints'}`,
    );
  for (const x of d.services.changed)
    lines.push(
      `  ~ ${x.service} (${x.mode}, ${x.family}): endpoints +[${x.added.join(', ')}] -[${x.removed.join(', ')}]`,
    );
  if (d.routes.added.length || d.routes.removed.length || d.routes.changed.length) lines.push('', 'routes:');
  for (const r of d.routes.added) lines.push(`  + ${routeText(r)}`);
  for (const r of d.routes.removed) lines.push(`  - ${routeText(r)}`);
  for (const r of d.routes.changed) lines.push(`  ~ ${routeText(r.before)}  ->  ${routeText(r.after)}`);
  stdout(lines.join('\n'));
}

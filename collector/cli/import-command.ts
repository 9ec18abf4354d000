import { readFile, writeFile } from 'node:fs/promises';
import { buildSnapshot } from '../../lib/snapshot/build';
import type { RawInput } from '../../lib/snapshot/build';
import { parseCommandArgs } from './args';
import { UsageError } from './cli-error';

export const importHelp = `Usage: packetlens import FILE... [--host NAME] [--out SNAPSHOT.json]

Builds one snapshot from raw command outputs, each recognised from its content:
  iptables-save / ip6tables-save text (with or without -c counters, legacy or nft backend)
  nft -j list ruleset JSON                (nft list ruleset text is refused: use nft -j)
  ip -j -d link, ip -j addr, ip -j route show table all, ip -j rule, ip -j neigh
  ipset save

Options:
  --host NAME        host name recorded in the snapshot (default: the first file's base name)
  --family ip|ip6    family of ip -j route/rule outputs whose content does not tell (default ip)
  --out FILE         write the snapshot there instead of standard output
  -h, --help         this help

Exits 1 with a one-line error naming file, line and column when an input is malformed.`;

export async function importCommand(argv: string[], stdout: (s: string) => void): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    host: { type: 'string' },
    out: { type: 'string' },
    family: { type: 'string' },
  });
  if (values.help) return stdout(importHelp);
  if (positionals.length === 0) throw new UsageError('expected at least one FILE (see --help)');
  const family = values.family;
  if (family !== undefined && family !== 'ip' && family !== 'ip6')
    throw new UsageError(`--family must be ip or ip6, not '${family}'`);
  const inputs: RawInput[] = [];
  for (const file of positionals) inputs.push({ origin: file, text: await readFile(file, 'utf8'), family });
  const host = values.host ?? positionals[0]!.replace(/^.*\//, '').replace(/\..*$/, '');
  const snapshot = buildSnapshot(inputs, { host, kind: 'import', collectedAt: new Date().toISOString() });
  const json = `${JSON.stringify(snapshot)}\n`;
  if (values.out) await writeFile(values.out, json);
  else stdout(json.trimEnd());
}

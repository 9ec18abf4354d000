import { readFile } from 'node:fs/promises';
import { Snapshot } from '../../lib/model/snapshot';
import { CliError } from './cli-error';

/** Reads a snapshot JSON file and checks it against the schema; errors name the file and field. */
export async function readSnapshotFile(file: string): Promise<Snapshot> {
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file}: not JSON: ${(e as Error).message}`);
  }
  const parsed = Snapshot.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    throw new CliError(`${file}: not a packetlens snapshot: field ${field || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

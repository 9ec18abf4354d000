import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Snapshot } from '../../lib/model/snapshot';

/**
 * Example snapshots the project captured from its lab (scripts/capture-examples.ts), shipped in
 * public/examples so a first visit is never empty. They are shown as examples, apart from collected
 * hosts, under the name `example:HOST`.
 */

export const examplePrefix = 'example:';

export interface Examples {
  snapshots: ReadonlyMap<string, Snapshot>;
  /** Files that could not be read, with why: shown on the fleet page rather than hidden. */
  problems: string[];
}

export function examplesLoad(dir: string): Examples {
  const snapshots = new Map<string, Snapshot>();
  const problems: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.snapshot.json'))
      .sort();
  } catch {
    return { snapshots, problems };
  }
  for (const file of files) {
    const where = path.join('public/examples', file);
    try {
      const parsed = Snapshot.safeParse(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        problems.push(
          `${where}: not a packetlens snapshot (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`,
        );
      } else if (!parsed.data.host.example) {
        problems.push(`${where}: not marked as an example (host.example is false)`);
      } else {
        snapshots.set(`${examplePrefix}${parsed.data.host.name}`, parsed.data);
      }
    } catch (e) {
      problems.push(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { snapshots, problems };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { dashboardOpen, type Dashboard } from '../runtime';

export const repo = path.resolve(__dirname, '../../..');

/**
 * A temporary directory for one test file (removed after it) and dashboards over fresh stores in
 * it: no inventory, no collection, the project's examples.
 */
export function dashboardTestbed(prefix: string): {
  work: string;
  open: (name: string) => Promise<Dashboard>;
} {
  const work = mkdtempSync(path.join(tmpdir(), `packetlens-${prefix}-`));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const open = (name: string) =>
    dashboardOpen(
      {
        storeFile: path.join(work, `${name}.db`),
        inventoryFile: null,
        collect: false,
        examplesDir: path.join(repo, 'public', 'examples'),
        localEveryMinutes: 5,
      },
      () => {},
    );
  return { work, open };
}

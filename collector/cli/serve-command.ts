import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { collectRun } from '../collect/collect-run';
import { hostResolve, inventoryLoad } from '../inventory/inventory';
import { collectionSchedule } from '../schedule/collection-schedule';
import { defaultStoreFile, openStore } from '../store/sqlite-store';
import { parseCommandArgs } from './args';
import { UsageError } from './cli-error';

export const serveHelp = `Usage: packetlens serve [--inventory FILE] [--db FILE]

Serves the dashboard on http://127.0.0.1:3000 (PORT and HOST override), building it first when
needed, and collects the inventory's hosts now and every collectEveryMinutes into the store.
Without an inventory file it only serves.

Options:
  --inventory FILE   inventory YAML (default: packetlens.yaml, when present)
  --db FILE          store (default: ${defaultStoreFile})
  -h, --help         this help`;

const repo = path.resolve(import.meta.dirname, '../..');

export async function serveCommand(
  argv: string[],
  stdout: (s: string) => void,
  stderr: (s: string) => void,
): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    inventory: { type: 'string' },
    db: { type: 'string' },
  });
  if (values.help) {
    stdout(serveHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (see --help)`);
  const inventoryFile = values.inventory ?? 'packetlens.yaml';
  const hasInventory = await access(inventoryFile).then(
    () => true,
    () => false,
  );
  if (values.inventory && !hasInventory)
    throw new UsageError(`--inventory ${values.inventory}: no such file`);
  // Checked before serving, so a bad inventory is one clear line and not a server without data.
  const inventory = hasInventory ? await inventoryLoad(inventoryFile) : null;
  const dbFile = values.db ?? defaultStoreFile;

  const server = spawn(process.execPath, [path.join(repo, 'scripts/start.mjs')], {
    stdio: 'inherit',
    env: process.env,
  });
  let schedule: { stop(): void } | null = null;
  if (inventory) {
    await mkdir(path.dirname(path.resolve(dbFile)), { recursive: true });
    const hosts = inventory.hosts.map((h) => hostResolve(inventory, h.name));
    schedule = collectionSchedule({
      everyMinutes: inventory.collectEveryMinutes,
      run: async () => {
        const store = openStore(dbFile);
        try {
          const run = await collectRun(hosts, store, {
            ownKnownHosts: path.join(path.dirname(path.resolve(dbFile)), 'known_hosts'),
            acceptNew: false,
          });
          stderr(`collection run ${run.id}: ${run.progress.ok} collected, ${run.progress.failed} failed`);
          return run;
        } finally {
          store.close();
        }
      },
      onError: (e) => stderr(`collection failed: ${e instanceof Error ? e.message : String(e)}`),
    });
  }
  const stop = () => {
    schedule?.stop();
    server.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise((resolve) => server.on('exit', (code) => resolve(code ?? 1)));
}

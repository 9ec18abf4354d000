import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { inventoryLoad } from '../inventory/inventory';
import { defaultStoreFile } from '../store/sqlite-store';
import { parseCommandArgs } from './args';
import { UsageError } from './cli-error';

export const serveHelp = `Usage: packetlens serve [--inventory FILE] [--db FILE]

Serves the dashboard on http://127.0.0.1:3000 (PORT and HOST override), building it first when
needed; the dashboard collects the inventory's hosts now, every collectEveryMinutes and on demand
("Collect now") into the store, never two runs at once. Without an inventory file it collects this
machine. Listening on another address than loopback needs PACKETLENS_ACCESS_TOKEN (see README).

Options:
  --inventory FILE   inventory YAML (default: packetlens.yaml, when present)
  --db FILE          store (default: ${defaultStoreFile})
  -h, --help         this help`;

const repo = path.resolve(import.meta.dirname, '../..');

export async function serveCommand(
  argv: string[],
  stdout: (s: string) => void,
  _stderr: (s: string) => void,
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
  if (hasInventory) await inventoryLoad(inventoryFile);
  const dbFile = values.db ?? defaultStoreFile;

  // The dashboard server runs the schedule itself, so that "Collect now" joins a scheduled run.
  const env: NodeJS.ProcessEnv = { ...process.env, PACKETLENS_DB: path.resolve(dbFile) };
  if (hasInventory) env.PACKETLENS_INVENTORY = path.resolve(inventoryFile);
  const server = spawn(process.execPath, [path.join(repo, 'scripts/start.mjs')], { stdio: 'inherit', env });
  const stop = () => server.kill('SIGTERM');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise((resolve) => server.on('exit', (code) => resolve(code ?? 1)));
}

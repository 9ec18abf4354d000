// The e2e web server (playwright.config.ts starts it): makes sure the lab is up, then serves the
// built app over a fresh store with the lab's inventory, so the dashboard collects the lab over SSH
// as it would a real fleet. PACKETLENS_E2E_LAB_DIR uses a lab another checkout built (read only).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { labPaths } from '../collector/lab/lab-paths';
import { labStateRead } from '../collector/lab/lab-state';
import { labNamespaces } from '../collector/lab/leftovers';

const root = path.resolve(import.meta.dirname, '..');
const port = process.env.PACKETLENS_E2E_PORT ?? '3100';
const log = (line: string) => console.error(`[e2e-server] ${line}`);

async function labEnsure(): Promise<string> {
  const external = process.env.PACKETLENS_E2E_LAB_DIR;
  if (external) {
    const inventory = labPaths(path.resolve(external)).inventory;
    if (!existsSync(inventory)) throw new Error(`PACKETLENS_E2E_LAB_DIR: no ${inventory}`);
    return inventory;
  }
  const paths = labPaths();
  const ours = labStateRead(paths.state)?.complete === true;
  // `up` from here would tear down a lab another checkout built, which others are using.
  if (!ours && (await labNamespaces()).length > 0) {
    throw new Error(
      'the lab is up, built from another checkout: set PACKETLENS_E2E_LAB_DIR to its data/lab, or wait until it is down',
    );
  }
  // `up` keeps a complete lab (and restarts a stopped sshd); another lab command may hold the lock.
  for (let attempt = 1; ; attempt++) {
    const up = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/lab.ts', 'up'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    if (up.status === 0) break;
    if (/another lab command/.test(up.stderr) && attempt < 18) {
      log('the lab lock is held: waiting 10 s');
      await new Promise((r) => setTimeout(r, 10_000));
      continue;
    }
    throw new Error(`npm run lab -- up failed:\n${up.stderr}`);
  }
  return paths.inventory;
}

async function main(): Promise<void> {
  const inventory = await labEnsure();
  const storeDir = path.join(root, 'test-results', 'e2e-store');
  rmSync(storeDir, { recursive: true, force: true });
  mkdirSync(storeDir, { recursive: true });
  log(`serving on 127.0.0.1:${port}, inventory ${inventory}`);
  const server = spawn(
    process.execPath,
    [path.join(root, 'node_modules/next/dist/bin/next'), 'start', '--hostname', '127.0.0.1', '--port', port],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: '1',
        PACKETLENS_INVENTORY: inventory,
        PACKETLENS_DB: path.join(storeDir, 'packetlens.db'),
      },
    },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => server.kill(signal));
  server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((e: unknown) => {
  log(e instanceof Error ? e.message : String(e));
  process.exit(1);
});

import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultStoreFile } from '../store/sqlite-store';

/**
 * The dashboard server's settings, all from the environment so that `npm start`, `packetlens serve`
 * and the e2e and bench servers configure it the same way. None of them reaches the browser.
 */
export interface DashboardConfig {
  /** PACKETLENS_DB: the store (default ./data/packetlens.db). */
  storeFile: string;
  /** PACKETLENS_INVENTORY, else ./packetlens.yaml when it exists; null: no inventory. */
  inventoryFile: string | null;
  /** PACKETLENS_COLLECT=off: collect nothing (a dashboard over an existing store). */
  collect: boolean;
  /** Example snapshots shipped with packetlens (public/examples). */
  examplesDir: string;
  /** Minutes between collections of this machine when there is no inventory. */
  localEveryMinutes: number;
}

export const defaultInventoryFile = 'packetlens.yaml';

export function dashboardConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DashboardConfig {
  const cwd = process.cwd();
  const inventory =
    env.PACKETLENS_INVENTORY ||
    (existsSync(path.join(/*turbopackIgnore: true*/ cwd, defaultInventoryFile))
      ? defaultInventoryFile
      : null);
  return {
    storeFile: path.resolve(/*turbopackIgnore: true*/ cwd, env.PACKETLENS_DB || defaultStoreFile),
    inventoryFile: inventory ? path.resolve(/*turbopackIgnore: true*/ cwd, inventory) : null,
    collect: env.PACKETLENS_COLLECT !== 'off',
    examplesDir: path.join(cwd, 'public', 'examples'),
    localEveryMinutes: 5,
  };
}

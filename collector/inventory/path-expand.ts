import os from 'node:os';
import path from 'node:path';

/**
 * An inventory path made absolute: `~` and `~/…` are the user's home, as in ssh_config, and a
 * relative path is relative to the inventory file, so an inventory and its known_hosts can travel
 * together.
 */
export function pathExpand(file: string, baseDir: string, home = os.homedir()): string {
  if (file === '~') return home;
  if (file.startsWith('~/')) return path.join(home, file.slice(2));
  return path.resolve(baseDir, file);
}

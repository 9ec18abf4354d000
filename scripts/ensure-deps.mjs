// Shared by scripts/start.mjs and scripts/test.mjs: bring node_modules in line with package-lock.json.
// Plain Node only, because it runs before any dependency is installed.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

function mtimeMs(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Why `npm ci` is needed in `root`, or undefined when node_modules matches the lock file. */
export function nodeDepsStaleReason(root) {
  // npm writes node_modules/.package-lock.json after every install, so it dates the last install.
  const installed = mtimeMs(path.join(root, 'node_modules', '.package-lock.json'));
  const locked = mtimeMs(path.join(root, 'package-lock.json'));
  if (installed === undefined) return 'node_modules is missing';
  if (locked !== undefined && locked > installed) return 'package-lock.json is newer than node_modules';
  return undefined;
}

function npm(root, args) {
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
  if (result.status === 0) return true;
  console.error(`[deps] npm ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
  return false;
}

/** Runs `npm ci` when needed; returns false when it was needed and failed. */
export function nodeDepsEnsure(root) {
  const reason = nodeDepsStaleReason(root);
  if (reason === undefined) return true;
  console.log(`[deps] ${reason}: running npm ci`);
  // allowScripts in package.json approves the install scripts that must run (esbuild); both commands honour it.
  if (npm(root, ['ci'])) return true;
  // The registry this project reaches has no other platforms' optional binaries (@next/swc-darwin-*, ...),
  // and npm ci then calls the lock file out of sync. `npm install --no-save` installs the same locked
  // versions without rewriting package-lock.json.
  console.log('[deps] retrying with npm install --no-save');
  return npm(root, ['install', '--no-save']);
}

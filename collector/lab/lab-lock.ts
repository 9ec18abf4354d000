import { mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LabError } from './lab-exec';
import { processAlive } from './leftovers';

/**
 * One lab command at a time: two `up`s racing would build the same namespaces twice. The lock file
 * holds the owner's pid; a lock whose owner died is taken over.
 */
export async function withLabLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const owner = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) {
        throw new LabError(`another lab command (pid ${owner}) is running; lock ${lockFile}`);
      }
      rmSync(lockFile, { force: true });
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
    try {
      rmdirSync(path.dirname(lockFile)); // data/ itself, when the lab was all it held
    } catch {
      // not empty: other files live there
    }
  }
}

import { readFileSync } from 'node:fs';

/** Whether a process still runs; a killed one stays a zombie until its parent reaps it. For tests. */
function processRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits up to two seconds for a process to end; true when it has. */
export async function processGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && processRunning(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !processRunning(pid);
}

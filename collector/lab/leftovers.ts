import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { labPrefix } from './address-plan';
import { runOk } from './lab-exec';

/**
 * Finds what the lab made from the kernel's own lists, by the lab's name prefix, so that teardown
 * works without the state file (a crash before it was written, or a deleted lab directory).
 */

const NetnsList = z.array(z.object({ name: z.string() }));
const LinkList = z.array(z.object({ ifname: z.string() }));

function jsonOrEmpty(text: string): unknown {
  return text.trim() === '' ? [] : (JSON.parse(text) as unknown);
}

export async function labNamespaces(): Promise<string[]> {
  const list = NetnsList.parse(jsonOrEmpty(await runOk('ip', ['-j', 'netns', 'list'])));
  return list.map((n) => n.name).filter((name) => name.startsWith(labPrefix));
}

/** Links of the root namespace carrying the lab prefix (normally only the lab's one veth). */
export async function labRootLinks(): Promise<string[]> {
  const list = LinkList.parse(jsonOrEmpty(await runOk('ip', ['-j', 'link', 'show'])));
  return list.map((l) => l.ifname).filter((name) => name.startsWith(labPrefix));
}

export async function netnsPids(ns: string): Promise<number[]> {
  const out = await runOk('ip', ['netns', 'pids', ns]);
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

/** Processes started with a node's config from the lab directory (sshd -f <dir>/nodes/...). */
export function labDirProcesses(dir: string): number[] {
  const nodesDir = `${dir}/nodes/`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (cmdline.includes(nodesDir)) pids.push(Number(entry));
  }
  return pids;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM, then SIGKILL for what is still there after a grace period; each by its own pid. */
export async function processesStop(pids: readonly number[], graceMs = 3000): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while (pids.some(processAlive) && Date.now() < deadline) await sleep(50);
  for (const pid of pids.filter(processAlive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

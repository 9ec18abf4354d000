import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabError, runOk } from './lab-exec';
import { processAlive } from './leftovers';

/**
 * Keys and sshd processes of the lab nodes. Each node's sshd runs in the node's network namespace
 * and in a UTS namespace of its own, so that `hostname` over SSH names the node as on a real host.
 */

export const sshdPath = '/usr/sbin/sshd';
/** sshd refuses to start without its privilege separation directory. */
export const privsepDir = '/run/sshd';

/** An ed25519 key without passphrase, made only when missing (host keys survive a rebuild of the processes). */
export async function sshKeyEnsure(file: string, comment: string): Promise<string> {
  if (!existsSync(file)) {
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  }
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/** Makes /run/sshd when it is missing; true when it did, so `down` removes only what the lab made. */
export function privsepDirEnsure(): boolean {
  if (existsSync(privsepDir)) return false;
  mkdirSync(privsepDir, { mode: 0o755 });
  return true;
}

/** The pid in the pid file when that process is alive and is this node's sshd. */
export function sshdRunningPid(pidFile: string, config: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return null;
  try {
    // A recycled pid belongs to another program: check that it runs with this node's config.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(config) ? pid : null;
  } catch {
    return null;
  }
}

export interface SshdStart {
  node: string;
  namespace: string;
  hostname: string;
  config: string;
  pidFile: string;
  logFile: string;
  /** Bind mounts made in sshd's own mount namespace (the one `ip netns exec` gives it). */
  binds?: readonly { source: string; target: string }[];
}

/** Starts sshd in the node namespace and waits for its pid file, which sshd writes once it listens. */
export async function sshdStart(s: SshdStart): Promise<number> {
  await runOk(sshdPath, ['-t', '-f', s.config]);
  await runOk('ip', [
    'netns',
    'exec',
    s.namespace,
    'unshare',
    '--uts',
    '--',
    'sh',
    '-c',
    // Pairs after the fifth argument are bind mounts: seen by this sshd and its sessions only.
    'set -e; h=$1 d=$2 c=$3 p=$4 l=$5; shift 5; ' +
      'while [ $# -gt 0 ]; do mount --bind "$1" "$2"; shift 2; done; ' +
      'hostname "$h"; exec "$d" -f "$c" -o PidFile="$p" -E "$l"',
    'sshd-start',
    s.hostname,
    sshdPath,
    s.config,
    s.pidFile,
    s.logFile,
    ...(s.binds ?? []).flatMap((b) => [b.source, b.target]),
  ]);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const pid = sshdRunningPid(s.pidFile, s.config);
    if (pid !== null) return pid;
    await sleep(50);
  }
  let log = '';
  try {
    log = readFileSync(s.logFile, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    // no log yet
  }
  throw new LabError(`sshd of ${s.node} did not start within 10 s (log ${s.logFile}: ${log || 'empty'})`);
}

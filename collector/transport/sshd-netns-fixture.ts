import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { netnsRun, run } from '../netns/netns';

/**
 * A real OpenSSH sshd in a throwaway network namespace, for integration tests. The root namespace
 * gets one veth end with a /30 in 198.18.250.0/24 (test-only range, away from the lab's 198.18.0-1.x);
 * no firewall rule, default route or outside address is touched.
 */

export interface VethLink {
  /** The root namespace's end. */
  rootIf: string;
  rootAddress: string;
  /** The test namespace's address, where sshd listens. */
  nsAddress: string;
}

async function must(what: Promise<{ code: number; stderr: string }>, step: string): Promise<void> {
  const { code, stderr } = await what;
  if (code !== 0) throw new Error(`${step} failed: ${stderr.trim()}`);
}

interface IpAddrJson {
  addr_info: { local: string; prefixlen: number }[];
}

/**
 * A /30 of 198.18.250.0/24 that no address or specific route of the root namespace overlaps. Wider
 * routes (a default route, the lab's /15) do not matter: the /30's own route is more specific.
 */
async function freeSubnet(): Promise<number> {
  const addresses = (
    JSON.parse((await run('ip', ['-4', '-j', 'addr', 'show'])).stdout) as IpAddrJson[]
  ).flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
  const routes = (
    JSON.parse((await run('ip', ['-4', '-j', 'route', 'show', 'table', 'all'])).stdout) as {
      dst: string;
    }[]
  ).map((r) => (r.dst.includes('/') ? r.dst : `${r.dst}/32`));
  const used = [...addresses, ...routes]
    .filter((cidr) => ipaddr.IPv4.isValidCIDR(cidr))
    .map((cidr) => ipaddr.IPv4.parseCIDR(cidr))
    .filter(([, length]) => length >= 24);
  for (let i = 0; i < 64; i++) {
    const base = 4 * ((process.pid + i) % 64);
    const ours = ipaddr.IPv4.parse(`198.18.250.${base}`);
    if (!used.some(([net, length]) => ours.match(net, length) || net.match(ours, 30))) return base;
  }
  throw new Error('no free /30 in 198.18.250.0/24');
}

export async function vethUp(ns: string): Promise<VethLink> {
  const base = await freeSubnet();
  const tag = `${process.pid % 100000}`;
  const link = {
    rootIf: `plsr${tag}`,
    rootAddress: `198.18.250.${base + 1}`,
    nsAddress: `198.18.250.${base + 2}`,
  };
  const nsIf = `plsn${tag}`;
  await must(
    run('ip', ['link', 'add', link.rootIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', ns]),
    'ip link add',
  );
  try {
    // No IPv6 on the link: nothing but the test's own IPv4 crosses it.
    await run('sysctl', ['-q', '-w', `net.ipv6.conf.${link.rootIf}.disable_ipv6=1`]);
    await netnsRun(ns, 'sysctl', ['-q', '-w', `net.ipv6.conf.${nsIf}.disable_ipv6=1`]);
    await must(run('ip', ['addr', 'add', `${link.rootAddress}/30`, 'dev', link.rootIf]), 'ip addr add');
    await must(run('ip', ['link', 'set', link.rootIf, 'up']), 'ip link set up');
    await must(netnsRun(ns, 'ip', ['addr', 'add', `${link.nsAddress}/30`, 'dev', nsIf]), 'ip addr add (ns)');
    await must(netnsRun(ns, 'ip', ['link', 'set', nsIf, 'up']), 'ip link set up (ns)');
    await must(netnsRun(ns, 'ip', ['link', 'set', 'lo', 'up']), 'ip link set lo up (ns)');
  } catch (e) {
    await vethDown(link);
    throw e;
  }
  return link;
}

export async function vethDown(link: VethLink): Promise<void> {
  await run('ip', ['link', 'del', link.rootIf]); // deletes both ends
}

export interface Sshd {
  process: ChildProcess;
  stop: () => Promise<void>;
}

/** Starts `sshd -D` in the namespace with a config of its own and waits until it listens. */
export async function sshdStart(
  ns: string,
  dir: string,
  settings: { listen: string[]; hostKey: string; authorizedKeys: string },
): Promise<Sshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      ...settings.listen.map((a) => `ListenAddress ${a}:22`),
      `HostKey ${settings.hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${settings.authorizedKeys}`,
      'StrictModes no', // the key files sit in a temp dir under the world-writable /tmp
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      '',
    ].join('\n'),
  );
  const child = spawn('ip', ['netns', 'exec', ns, '/usr/sbin/sshd', '-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start: ${log.join('')}`)), 10_000);
    child.stderr?.on('data', (d: Buffer) => {
      log.push(d.toString());
      if (settings.listen.every((a) => log.join('').includes(`Server listening on ${a} port 22`))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}: ${log.join('')}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Kills what still runs in the namespace (sshd's session processes): nothing outside it. */
export async function netnsProcessesKill(ns: string): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'pids', ns]);
  for (const pid of stdout.split('\n').filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Last-resort cleanup when the test process exits without its finally blocks. Synchronous. */
export function cleanupOnExit(ns: string, link: VethLink, sshd: () => ChildProcess | null): () => void {
  const cleanup = () => {
    const child = sshd();
    if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
    for (const pid of pids.split('\n').filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    spawnSync('ip', ['link', 'del', link.rootIf]);
    spawnSync('ip', ['netns', 'del', ns]);
  };
  process.once('exit', cleanup);
  return () => process.removeListener('exit', cleanup);
}

import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cidrHost } from './address-plan';
import { inventoryYaml, labInventory } from './inventory-file';
import { runOk } from './lab-exec';
import { bridgeCreate, netnsCreate, vethCreate } from './lab-network';
import { netnsPids, processesStop } from './leftovers';
import { iptablesRestore } from './rules-load';
import type { SshHost } from './ssh-client-files';
import { knownHostsFile } from './ssh-client-files';
import { privsepDir, privsepDirEnsure, sshdStart, sshKeyEnsure } from './sshd';
import { sshdConfig } from './sshd-config';

/**
 * Benchmark hosts: N network namespaces `pl-bench-<n>`, each with its own sshd and its own
 * iptables rules, all on one bridge in a switch namespace (`pl-bench-sw`). The root namespace gets
 * one veth (`pl-bench-link`, 198.18.128.1/24) and nothing else: no route, no firewall change.
 * The lab uses 198.18.0.x/198.18.1.x and the ssh tests 198.18.250.x; the bench stays in 198.18.128.x.
 */

export const benchPrefix = 'pl-bench-';
export const benchCidr = '198.18.128.0/24';
export const benchSwitchNamespace = `${benchPrefix}sw`;
export const benchRootLink = `${benchPrefix}link`;
const bridgeName = 'br0';
const prefixLength = 24;
/** Host n (1-based) listens on 198.18.128.(10 + n). */
const hostOffset = 10;
export const benchMaxHosts = 240;

export interface BenchHostsInput {
  /** A directory the bench owns: keys, configs, pid files, inventory. */
  dir: string;
  count: number;
  /** iptables-restore text for host n (1-based). */
  rules: (n: number) => string;
  log: (line: string) => void;
  /** Aborting stops the setup between two steps, so a teardown meanwhile finds all it made. */
  signal?: AbortSignal;
}

export interface BenchHosts {
  names: string[];
  inventory: string;
  identityFile: string;
  knownHosts: string;
}

/** What a teardown must undo; filled in before each step so a failure half way still undoes it. */
export interface BenchHostsState {
  madePrivsepDir: boolean;
}

export function benchHostName(n: number): string {
  return `${benchPrefix}${n}`;
}

async function pool<T>(
  items: readonly T[],
  width: number,
  signal: AbortSignal | undefined,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      signal?.throwIfAborted();
      try {
        await fn(items[next++]!);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  // Settled, not raced: a step still running when another fails must end before teardown starts.
  const results = await Promise.allSettled(Array.from({ length: Math.min(width, items.length) }, worker));
  const rejected = results.find((r) => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

const NetnsList = (text: string): string[] =>
  text.trim() === '' ? [] : (JSON.parse(text) as { name: string }[]).map((n) => n.name);

export async function benchNamespaces(): Promise<string[]> {
  return NetnsList(await runOk('ip', ['-j', 'netns', 'list'])).filter((n) => n.startsWith(benchPrefix));
}

export async function benchRootLinkExists(): Promise<boolean> {
  const links = JSON.parse((await runOk('ip', ['-j', 'link', 'show'])) || '[]') as { ifname: string }[];
  return links.some((l) => l.ifname === benchRootLink);
}

export async function benchHostsUp(input: BenchHostsInput, state: BenchHostsState): Promise<BenchHosts> {
  if (input.count < 1 || input.count > benchMaxHosts)
    throw new Error(`bench hosts: count must be 1..${benchMaxHosts}, not ${input.count}`);
  const { dir, log, signal } = input;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const numbers = Array.from({ length: input.count }, (_, i) => i + 1);
  const address = (n: number) => cidrHost(benchCidr, hostOffset + n);

  // Network: the switch, the root veth into its bridge, one veth per host.
  signal?.throwIfAborted();
  await netnsCreate(benchSwitchNamespace);
  // The switch is a plain wire; only when bridge netfilter is loaded is there anything to turn off.
  await runOk('ip', [
    'netns',
    'exec',
    benchSwitchNamespace,
    'sh',
    '-c',
    '[ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || sysctl -q -w net.bridge.bridge-nf-call-iptables=0',
  ]);
  await bridgeCreate(benchSwitchNamespace, bridgeName, null);
  await vethCreate(
    {
      namespace: null,
      name: benchRootLink,
      address: `${cidrHost(benchCidr, 1)}/${prefixLength}`,
      bridge: null,
    },
    { namespace: benchSwitchNamespace, name: 'root', address: null, bridge: bridgeName },
  );
  for (const n of numbers) {
    signal?.throwIfAborted();
    const ns = benchHostName(n);
    await netnsCreate(ns);
    await vethCreate(
      { namespace: ns, name: 'eth0', address: `${address(n)}/${prefixLength}`, bridge: null },
      { namespace: benchSwitchNamespace, name: `h${n}`, address: null, bridge: bridgeName },
    );
  }
  log(`network: ${benchRootLink} ${cidrHost(benchCidr, 1)} → ${address(1)} .. ${address(input.count)}`);

  // Rules: iptables-nft, as kube-proxy loads them, two at a time.
  const xtablesLock = path.join(dir, 'xtables.lock');
  const rulesStarted = performance.now();
  await pool(numbers, 2, signal, (n) =>
    iptablesRestore(benchHostName(n), 'nft', input.rules(n), xtablesLock),
  );
  log(
    `rules: loaded into ${input.count} hosts in ${((performance.now() - rulesStarted) / 1000).toFixed(1)} s`,
  );

  // sshd: one client key, one host key and config per host.
  state.madePrivsepDir = privsepDirEnsure();
  const identityFile = path.join(dir, 'id_ed25519');
  const authorizedKeys = path.join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, `${await sshKeyEnsure(identityFile, 'packetlens-bench')}\n`, { mode: 0o600 });
  const hosts: SshHost[] = [];
  await pool(numbers, 8, signal, async (n) => {
    const name = benchHostName(n);
    const hostDir = path.join(dir, 'hosts', name);
    mkdirSync(hostDir, { recursive: true, mode: 0o700 });
    const hostKey = path.join(hostDir, 'ssh_host_ed25519_key');
    const publicKey = await sshKeyEnsure(hostKey, `root@${name}`);
    const config = path.join(hostDir, 'sshd_config');
    writeFileSync(
      config,
      sshdConfig({ node: name, namespace: name, address: address(n), port: 22, hostKey, authorizedKeys }),
    );
    await sshdStart({
      node: name,
      namespace: name,
      hostname: name,
      config,
      pidFile: path.join(hostDir, 'sshd.pid'),
      logFile: path.join(hostDir, 'sshd.log'),
    });
    hosts.push({ name, address: address(n), port: 22, jump: null, publicKey });
  });
  hosts.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  log(`sshd: running in ${hosts.length} hosts`);

  const knownHosts = path.join(dir, 'known_hosts');
  writeFileSync(knownHosts, knownHostsFile(hosts));
  const inventory = path.join(dir, 'packetlens.yaml');
  const file = labInventory({
    identityFile,
    knownHosts,
    nodes: hosts.map((h) => ({ name: h.name, address: h.address, jump: null, role: 'worker' })),
  });
  file.defaults.commandTimeoutMs = 120_000;
  for (const h of file.hosts) h.labels.cluster = 'bench';
  writeFileSync(inventory, inventoryYaml(file).replace('npm run lab -- up', 'npm run bench:collect'));
  return { names: hosts.map((h) => h.name), inventory, identityFile, knownHosts };
}

/**
 * Removes every `pl-bench-` namespace (after stopping each process in it, by pid), the root veth,
 * and /run/sshd when this run made it and no lab is using it. Returns what is still left.
 */
export async function benchHostsDown(state: BenchHostsState, log: (line: string) => void): Promise<string[]> {
  const namespaces = await benchNamespaces();
  const pids = new Set<number>();
  for (const ns of namespaces) for (const pid of await netnsPids(ns)) pids.add(pid);
  pids.delete(process.pid);
  if (pids.size > 0) {
    log(`teardown: stopping ${pids.size} process(es) in bench namespaces`);
    await processesStop([...pids]);
  }
  if (await benchRootLinkExists()) await runOk('ip', ['link', 'del', benchRootLink]);
  // Hosts before the switch they hang off.
  for (const ns of namespaces.sort(
    (a, b) => Number(a === benchSwitchNamespace) - Number(b === benchSwitchNamespace),
  ))
    await runOk('ip', ['netns', 'del', ns]);
  if (namespaces.length > 0) log(`teardown: deleted ${namespaces.length} namespace(s) and ${benchRootLink}`);
  if (state.madePrivsepDir && existsSync(privsepDir)) {
    const labUp = NetnsList(await runOk('ip', ['-j', 'netns', 'list'])).some((n) => n.startsWith('pl-lab-'));
    if (!labUp) {
      try {
        rmdirSync(privsepDir);
        state.madePrivsepDir = false;
      } catch {
        // not empty: someone else's sshd uses it now
      }
    }
  }
  return [
    ...(await benchNamespaces()).map((ns) => `namespace ${ns}`),
    ...((await benchRootLinkExists()) ? [`link ${benchRootLink}`] : []),
  ];
}

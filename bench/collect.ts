/**
 * npm run bench:collect — 50 bench hosts (network namespaces with their own sshd, each holding a
 * 1,000-service kube-proxy rule set that differs from the others by one rule), then, in one run:
 *
 * 1. wall time and peak RSS of `packetlens collect` (fetch, parse and store; a child process)
 *    beside `parallel-ssh` feeding the very script packetlens sends (collectScript()) to the same
 *    hosts with the same concurrency, key and known_hosts, output to files. Target: packetlens end
 *    to end no slower than pssh's fetch alone.
 * 2. storage: the same 50 hosts collected 10 times into one store (collectRun), bytes per
 *    observation and per distinct snapshot.
 *
 * Everything it creates (namespaces, the root veth, sshd processes, the temp directory) is removed
 * in a finally block, also on failure and on SIGINT/SIGTERM/SIGHUP (run it with `node --import tsx`,
 * as the npm script does: the tsx CLI kills a script that does not exit within 30 ms of a signal).
 * A watchdog process (collect-watchdog.ts) removes it all when the bench dies without teardown.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { collectRun } from '../collector/collect/collect-run';
import { collectCommand, collectScript } from '../collector/commands/collect-script';
import { framingTag } from '../collector/commands/framing';
import { hostResolve, inventoryLoad } from '../collector/inventory/inventory';
import type { BenchHosts, BenchHostsState } from '../collector/lab/bench-hosts';
import { benchHostsDown, benchHostsUp, benchNamespaces } from '../collector/lab/bench-hosts';
import { privsepDir } from '../collector/lab/sshd';
import { sampleIptablesText } from '../collector/store/sample-kube-proxy';
import { openStore } from '../collector/store/sqlite-store';
import { benchDir, bytes, fmt, outDir, table, verdict } from './bench-util';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 50);
const SERVICES = Number(process.env.BENCH_SERVICES ?? 1000);
const CONCURRENCY = 16;
const COLLECTIONS = 10;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const gnuTime = '/usr/bin/time';
const repoDir = path.resolve(benchDir, '..');

const log = (line: string) => console.error(`bench:collect: ${line}`);

/** Resident bytes of a process and all its descendants, from /proc. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const page = 4096;
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    try {
      total += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * page;
    } catch {
      // exited meanwhile
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Machine-wide CPU time from /proc/stat, in core-seconds: all processes, the bench hosts included. */
function machineCpu(): { busy: number; idle: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const hz = 100;
  return { busy: (user + nice + system + irq + softirq + steal) / hz, idle: (idle + iowait) / hz };
}

interface Measured {
  wallMs: number;
  /** User + system CPU of the measured process and its children (GNU time), in seconds. */
  cpuS: number;
  /** Busy and idle core-seconds of the whole machine meanwhile. */
  machineBusyS: number;
  machineIdleS: number;
  /** GNU time's "Maximum resident set size": the largest single process of the tree. */
  maxRssKb: number;
  /** Sum over the whole process tree, sampled every 100 ms. */
  treeRssPeak: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs CMD under /usr/bin/time -v with stdin from a file; a non-zero exit throws with its stderr.
 * It runs in a process group of its own, which an abort (the bench's signal handler) kills whole:
 * time, packetlens and its threads, or parallel-ssh and its ssh clients.
 */
function measured(
  label: string,
  cmd: string,
  args: readonly string[],
  stdinFile: string,
  dir: string,
  signal: AbortSignal,
) {
  const timeFile = path.join(dir, `${label}.time`);
  signal.throwIfAborted();
  const stdin = openSync(stdinFile, 'r');
  return new Promise<Measured>((resolve, reject) => {
    const started = performance.now();
    const cpuBefore = machineCpu();
    const child = spawn(gnuTime, ['-v', '-o', timeFile, cmd, ...args], {
      cwd: repoDir,
      stdio: [stdin, 'pipe', 'pipe'],
      detached: true,
    });
    closeSync(stdin);
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    signal.addEventListener('abort', kill, { once: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    let treeRssPeak = 0;
    const sampler = setInterval(() => {
      if (child.pid !== undefined) treeRssPeak = Math.max(treeRssPeak, treeRss(child.pid));
    }, 100);
    child.on('error', (e) => {
      clearInterval(sampler);
      reject(e);
    });
    child.on('close', (code, exitSignal) => {
      const wallMs = performance.now() - started;
      const cpuAfter = machineCpu();
      clearInterval(sampler);
      signal.removeEventListener('abort', kill);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        const said = (stderr.trim() || stdout.trim()).split('\n').slice(-8).join('\n  ');
        reject(new Error(`${label} failed (${exitSignal ?? `exit ${code}`}):\n  ${said}`));
        return;
      }
      const timeText = readFileSync(timeFile, 'utf8');
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(timeText);
      if (!rss) {
        reject(new Error(`${label}: no peak RSS in ${gnuTime}'s report: ${timeText}`));
        return;
      }
      const seconds = (name: string) =>
        Number(new RegExp(`${name} time \\(seconds\\): ([\\d.]+)`).exec(timeText)?.[1] ?? NaN);
      resolve({
        wallMs,
        cpuS: seconds('User') + seconds('System'),
        machineBusyS: cpuAfter.busy - cpuBefore.busy,
        machineIdleS: cpuAfter.idle - cpuBefore.idle,
        maxRssKb: Number(rss[1]),
        treeRssPeak,
        stdout,
        stderr,
      });
    });
  });
}

async function packetlensCollect(
  hosts: BenchHosts,
  dir: string,
  round: number,
  signal: AbortSignal,
): Promise<Measured> {
  const db = path.join(dir, `cli-${round}`, 'packetlens.db');
  mkdirSync(path.dirname(db), { recursive: true });
  const m = await measured(
    `packetlens-${round}`,
    process.execPath,
    [
      path.join(repoDir, 'bin', 'packetlens.mjs'),
      'collect',
      '--inventory',
      hosts.inventory,
      '--db',
      db,
      '--concurrency',
      String(CONCURRENCY),
    ],
    '/dev/null',
    dir,
    signal,
  );
  const summary = m.stdout.trim().split('\n').pop() ?? '';
  if (!summary.includes(`${HOSTS} collected, 0 failed`))
    throw new Error(`packetlens collect did not collect every host: ${summary}`);
  return m;
}

/** On failure, adds what ssh said for the first host that failed. */
async function psshErrors<T>(errDir: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    const said = existsSync(errDir)
      ? readdirSync(errDir)
          .map(
            (f) =>
              `${f}: ${readFileSync(path.join(errDir, f), 'utf8').trim().split('\n').slice(-3).join(' | ')}`,
          )
          .find((line) => !line.endsWith(': '))
      : undefined;
    throw new Error(`${(e as Error).message}${said ? `\n  ssh said: ${said}` : ''}`);
  }
}

async function psshFetch(
  hosts: BenchHosts,
  addresses: readonly string[],
  dir: string,
  round: number,
  signal: AbortSignal,
): Promise<Measured & { outBytes: number }> {
  const hostsFile = path.join(dir, 'pssh-hosts');
  writeFileSync(hostsFile, addresses.map((a) => `root@${a}\n`).join(''));
  const scriptFile = path.join(dir, 'collect-script.sh');
  writeFileSync(scriptFile, collectScript());
  const psshOut = path.join(dir, `pssh-${round}`, 'out');
  const errDir = path.join(dir, `pssh-${round}`, 'err');
  const sshOptions = [
    `IdentityFile=${hosts.identityFile}`,
    'IdentitiesOnly=yes',
    `UserKnownHostsFile=${hosts.knownHosts}`,
    'GlobalKnownHostsFile=/dev/null',
    'StrictHostKeyChecking=yes',
    'BatchMode=yes',
    'ConnectTimeout=5',
  ];
  const m = await psshErrors(
    errDir,
    measured(
      `parallel-ssh-${round}`,
      'parallel-ssh',
      [
        '-I',
        '-h',
        hostsFile,
        '-p',
        String(CONCURRENCY),
        '-t',
        '0',
        '-o',
        psshOut,
        '-e',
        errDir,
        ...sshOptions.flatMap((o) => ['-O', o]),
        collectCommand,
      ],
      scriptFile,
      dir,
      signal,
    ),
  );
  // pssh exits 0 only when every host did; check the outputs are whole collections anyway.
  let outBytes = 0;
  for (const a of addresses) {
    const file = path.join(psshOut, `root@${a}`);
    const alt = path.join(psshOut, a);
    const f = existsSync(file) ? file : alt;
    if (!existsSync(f)) throw new Error(`parallel-ssh wrote no output for ${a}`);
    const head = readFileSync(f).subarray(0, framingTag.length).toString('utf8');
    if (head !== framingTag) throw new Error(`parallel-ssh output for ${a} is not a collection: '${head}'`);
    outBytes += statSync(f).size;
  }
  return { ...m, outBytes };
}

async function storage(hosts: BenchHosts, dir: string, signal: AbortSignal) {
  const file = path.join(dir, 'storage', 'packetlens.db');
  mkdirSync(path.dirname(file), { recursive: true });
  const inventory = await inventoryLoad(hosts.inventory);
  const resolved = inventory.hosts.map((h) => hostResolve(inventory, h.name));
  const store = openStore(file);
  const started = performance.now();
  try {
    for (let c = 0; c < COLLECTIONS; c++) {
      signal.throwIfAborted();
      const run = await collectRun(resolved, store, {
        ownKnownHosts: path.join(dir, 'storage', 'known_hosts'),
        acceptNew: false,
        concurrency: CONCURRENCY,
      });
      if (run.progress.failed > 0 || run.progress.ok !== HOSTS) {
        const failed = run.hosts.filter((h) => h.status !== 'ok');
        throw new Error(
          `collection ${c + 1}: ${run.progress.ok} ok, ${run.progress.failed} failed: ` +
            failed.map((h) => `${h.host}: ${h.failure?.message}`).join('; '),
        );
      }
      log(`storage: collection ${c + 1}/${COLLECTIONS} done`);
    }
  } finally {
    store.close();
  }
  const ms = performance.now() - started;
  if (existsSync(`${file}-wal`)) throw new Error(`${file}-wal is still there after close`);
  const db = new Database(file, { readonly: true });
  try {
    const one = (sql: string) => Number(db.prepare(sql).pluck().get() ?? 0);
    return {
      ms,
      dbSize: statSync(file).size,
      snapshots: one('SELECT count(*) FROM snapshots'),
      observations: one('SELECT count(*) FROM snapshot_observations'),
      rawStored: one('SELECT avg(length(raw)) FROM snapshot_bodies'),
      parsedStored: one('SELECT avg(length(parsed)) FROM snapshot_bodies'),
    };
  } finally {
    db.close();
  }
}

/** Settles when the bench hosts' setup has stopped (done, failed or aborted): teardown waits for it. */
let setupSettled: Promise<unknown> = Promise.resolve();

async function main(state: BenchHostsState, dir: string, signal: AbortSignal): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root: it creates network namespaces and sshd');
  if (!existsSync(gnuTime)) throw new Error(`${gnuTime} is missing: apt-get install -y time`);
  const leftovers = await benchNamespaces();
  if (leftovers.length > 0) {
    log(`removing ${leftovers.length} pl-bench- namespace(s) left by an earlier run`);
    const left = await benchHostsDown({ madePrivsepDir: false }, log);
    if (left.length > 0) throw new Error(`could not remove leftovers: ${left.join(', ')}`);
  }

  // The store's sample: kube-proxy's layout plus one KUBE-FORWARD rule naming the host.
  const rules = (n: number) => sampleIptablesText({ services: SERVICES, extraRule: n });
  const one = sampleIptablesText({ services: SERVICES, extraRule: 1 });
  const ruleCount = one.split('\n').filter((l) => l.startsWith('-A ')).length;
  log(`starting ${HOSTS} hosts, each ${SERVICES} services x 5 endpoints (${ruleCount} rules, one differs)`);
  const up = benchHostsUp({ dir: path.join(dir, 'hosts'), count: HOSTS, rules, log, signal }, state);
  setupSettled = up.catch(() => undefined);
  const hosts = await up;
  const inventory = await inventoryLoad(hosts.inventory);
  const addresses = inventory.hosts.map((h) => h.address!);

  const pl: Measured[] = [];
  const ps: (Measured & { outBytes: number })[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    // Alternate which goes first, so neither always gets the warmer caches.
    const order = r % 2 === 1 ? ['pssh', 'packetlens'] : ['packetlens', 'pssh'];
    for (const which of order) {
      const load = os.loadavg()[0]!.toFixed(1);
      if (which === 'pssh') {
        ps.push(await psshFetch(hosts, addresses, dir, r, signal));
        log(`round ${r}: parallel-ssh ${fmt(ps.at(-1)!.wallMs)} (load before: ${load})`);
      } else {
        pl.push(await packetlensCollect(hosts, dir, r, signal));
        log(`round ${r}: packetlens collect ${fmt(pl.at(-1)!.wallMs)} (load before: ${load})`);
      }
    }
  }
  log(`storage: collecting ${HOSTS} hosts ${COLLECTIONS} times into one store`);
  const s = await storage(hosts, dir, signal);

  const best = <T extends Measured>(xs: T[]) => xs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  const plBest = best(pl);
  const psBest = best(ps);
  const ratio = plBest.wallMs / psBest.wallMs;
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  const all = (xs: Measured[]) => xs.map((x) => fmt(x.wallMs)).join(', ');
  const seconds = (x: number) => `${x.toFixed(0)} s`;
  const machine = (m: Measured) => `${seconds(m.machineBusyS)} / ${seconds(m.machineIdleS)}`;

  console.log('');
  console.log(
    `${HOSTS} hosts over SSH (network namespaces on this machine, ${os.cpus().length} CPUs), each ` +
      `${SERVICES} services x 5 endpoints, ${ruleCount} iptables rules (+1 per host); concurrency ${CONCURRENCY}; ` +
      `best of ${ROUNDS} round(s)`,
  );
  console.log('');
  table([
    [
      '',
      'wall time',
      'peak RSS (largest process)',
      'peak RSS (process tree, sampled)',
      'CPU (own, user+sys)',
      'machine CPU busy / idle',
      'all rounds',
    ],
    [
      'packetlens collect (fetch + parse + store)',
      fmt(plBest.wallMs),
      mb(plBest.maxRssKb),
      bytes(plBest.treeRssPeak),
      seconds(plBest.cpuS),
      machine(plBest),
      all(pl),
    ],
    [
      `parallel-ssh -I (fetch only, ${bytes(psBest.outBytes)} to files)`,
      fmt(psBest.wallMs),
      mb(psBest.maxRssKb),
      bytes(psBest.treeRssPeak),
      seconds(psBest.cpuS),
      machine(psBest),
      all(ps),
    ],
  ]);
  console.log('');
  console.log(
    `packetlens / parallel-ssh wall time: ${ratio.toFixed(2)}x; target <= 1.00x (no slower than the fetch alone): ${verdict(ratio <= 1)}`,
  );
  // The hosts run on this machine: when the fetch alone leaves no CPU idle, whatever the collector
  // computes lengthens the run. Say so, so the ratio is read with it.
  console.log(
    `machine CPU (busy / idle) during the fetch alone: ${machine(psBest)}; ` +
      `packetlens' own CPU beyond parallel-ssh's: ${seconds(plBest.cpuS - psBest.cpuS)}`,
  );
  console.log('');
  console.log(
    `storage: ${HOSTS} hosts identical but for one rule, collected ${COLLECTIONS} times over SSH (${fmt(s.ms)})`,
  );
  // Each host's content differs from every other's by its one rule, and from its own earlier
  // collections by nothing: one distinct snapshot per host however often it is collected.
  table([
    [
      'store file',
      bytes(s.dbSize),
      `${s.snapshots} distinct snapshots (expected ${HOSTS}: ${verdict(s.snapshots === HOSTS)}), ${s.observations} observations`,
    ],
    ['bytes per observation', bytes(s.dbSize / s.observations), ''],
    ['bytes per distinct snapshot', bytes(s.dbSize / s.snapshots), ''],
    [
      'per distinct snapshot: raw outputs / parsed, as stored',
      `${bytes(s.rawStored)} / ${bytes(s.parsedStored)}`,
      '',
    ],
  ]);
  if (s.observations !== HOSTS * COLLECTIONS)
    throw new Error(`expected ${HOSTS * COLLECTIONS} observations, the store has ${s.observations}`);
  if (s.snapshots !== HOSTS)
    throw new Error(`expected ${HOSTS} distinct snapshots (one per host), the store has ${s.snapshots}`);
}

/** Starts collect-watchdog.ts; `done()` tells it the bench has torn down by itself. */
function watchdogStart(dir: string): { done(): void } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(benchDir, 'collect-watchdog.ts'),
      dir,
      existsSync(privsepDir) ? 'kept-privsep' : 'made-privsep',
    ],
    { cwd: repoDir, detached: true, stdio: ['pipe', 'ignore', 'inherit'] },
  );
  child.unref();
  const pipe = child.stdin as Socket;
  pipe.unref();
  // The watchdog gone early (it failed to start) must not take the bench with it.
  pipe.on('error', () => undefined);
  return { done: () => pipe.end('done\n') };
}

const state: BenchHostsState = { madePrivsepDir: false };
// Not under /tmp: sshd (StrictModes) refuses an authorized_keys file below a world-writable directory.
mkdirSync(outDir, { recursive: true });
const dir = mkdtempSync(path.join(outDir, 'collect-'));
const watchdog = watchdogStart(dir);
const aborter = new AbortController();

let cleaning: Promise<string[]> | null = null;
/** Tears down once, after the setup has stopped; tells the watchdog when nothing was left. */
function cleanup(): Promise<string[]> {
  cleaning ??= (async () => {
    try {
      await setupSettled;
      const left = await benchHostsDown(state, log);
      if (left.length === 0) watchdog.done();
      return left;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (aborter.signal.aborted) return;
    log(`${signal}: stopping and tearing down`);
    aborter.abort(new Error(`stopped by ${signal}`));
    cleanup()
      .then((left) => {
        if (left.length > 0) log(`teardown left behind: ${left.join(', ')} (the watchdog tries again)`);
      })
      .catch((e: unknown) => log(`teardown failed: ${(e as Error).message} (the watchdog tries again)`))
      .finally(() => process.exit(130));
  });
}

let failed = false;
try {
  await main(state, dir, aborter.signal);
} catch (e) {
  failed = true;
  console.error(`bench:collect: FAILED: ${(e as Error).message}`);
} finally {
  try {
    const left = await cleanup();
    if (left.length > 0) {
      failed = true;
      console.error(`bench:collect: teardown left behind: ${left.join(', ')}`);
    }
  } catch (e) {
    failed = true;
    console.error(`bench:collect: teardown failed: ${(e as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);

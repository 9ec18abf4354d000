import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotStats } from '../../lib/snapshot/stats';
import { hostResolve, inventoryLoad } from '../inventory/inventory';
import { labDown } from '../lab/lab-down';
import { LabDescription } from '../lab/lab-description';
import { labPaths } from '../lab/lab-paths';
import { labUp } from '../lab/lab-up';
import { run } from '../netns/netns';
import { openStore } from '../store/sqlite-store';
import { collectRun } from './collect-run';

// Collects the lab's nodes over real SSH (node-3 only through node-1) into a real store.
const paths = labPaths();
const work = mkdtempSync(path.join(tmpdir(), 'packetlens-collect-'));
const quiet = () => {};
let lab: LabDescription;
/** The lab is shared on this machine: it is taken down only when this file built it. */
let builtHere = false;

beforeAll(async () => {
  expect(process.getuid?.(), 'the lab needs root').toBe(0);
  builtHere = !(await labUp(paths, quiet)).kept;
  lab = LabDescription.parse(JSON.parse(readFileSync(path.join(paths.dir, 'lab.json'), 'utf8')));
}, 300_000);

afterAll(async () => {
  if (builtHere) await labDown(paths, quiet);
  rmSync(work, { recursive: true, force: true });
}, 300_000);

async function labHosts(inventoryFile = path.join(paths.dir, 'packetlens.yaml')) {
  const inventory = await inventoryLoad(inventoryFile);
  return inventory.hosts.map((h) => hostResolve(inventory, h.name));
}

const options = { ownKnownHosts: null, acceptNew: false, retries: 0 };

async function rulesInNamespace(ns: string): Promise<number> {
  const saved = await run('ip', ['netns', 'exec', ns, 'iptables-nft-save']);
  return saved.stdout.split('\n').filter((l) => l.startsWith('-A ')).length;
}

describe('collecting the lab over SSH', () => {
  it('collects every node and its pods, with the rules iptables-save shows in each namespace', async () => {
    const store = openStore(path.join(work, 'all.db'));
    try {
      const result = await collectRun(await labHosts(), store, options);
      expect(result.hosts.map((h) => [h.host, h.status])).toEqual([
        ['node-1', 'ok'],
        ['node-2', 'ok'],
        ['node-3', 'ok'],
      ]);
      for (const node of lab.nodes) {
        const stored = store.snapshotLatest(node.name)!.snapshot;
        expect(stored.host.hostname).toBe(node.hostname);
        const nftDump = stored.netfilter.iptables.find((d) => d.family === 'ip' && d.backend === 'nft');
        const rules = nftDump?.tables.flatMap((t) => t.chains.flatMap((c) => c.rules)).length ?? 0;
        expect(rules, node.name).toBe(await rulesInNamespace(node.namespace));
        // Every pod the lab made on this node is found, with its address and a default route,
        // named from the node's libcni cache as the lab (a runtime) named it.
        const own = lab.pods.filter((p) => p.node === node.name);
        for (const pod of own) {
          const found = stored.pods.find((p) => p.addresses.some((a) => a.local === pod.ip));
          expect(found, `${node.name}: pod ${pod.name}`).toBeDefined();
          expect(found!.routes.some((r) => r.dst === '0.0.0.0/0')).toBe(true);
          const [namespace, name] = pod.name.split('/');
          expect([found!.host.name, found!.host.labels]).toEqual([
            pod.name,
            { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': namespace },
          ]);
          expect(found!.host.netns).toEqual({ name: pod.namespace, pid: null });
        }
        // Each node reads its own cache: no other node's pod is taken for one of its own.
        const others = lab.pods.filter((p) => p.node !== node.name).map((p) => p.name);
        expect(stored.pods.filter((p) => others.includes(p.host.name))).toEqual([]);
      }
      const node2 = store.snapshotLatest('node-2')!.snapshot;
      expect(node2.host.backendsWithRules).toEqual(['legacy', 'nft']);
      const node3 = store.snapshotLatest('node-3')!.snapshot;
      expect(node3.netfilter.nftables?.tables.some((t) => t.name === 'kube-proxy')).toBe(true);
      expect(snapshotStats(node3).rules.total).toBeGreaterThan(0);

      // A second run stores nothing new for hosts that did not change: only the observation.
      await collectRun(await labHosts(), store, options);
      const history = store.historyOf('node-1');
      expect(history).toHaveLength(2);
      expect(history[0]!.snapshotId).toBe(history[1]!.snapshotId);
    } finally {
      store.close();
    }
  });

  it('refuses a host whose key changed and collects the others', async () => {
    const dir = mkdtempSync(path.join(work, 'changed-key-'));
    const inventoryFile = path.join(dir, 'packetlens.yaml');
    const knownHosts = path.join(dir, 'known_hosts');
    const node1 = lab.nodes.find((n) => n.name === 'node-1')!;
    const node2 = lab.nodes.find((n) => n.name === 'node-2')!;
    // node-2's entry now holds node-1's key: what a man in the middle would present.
    const lines = readFileSync(path.join(paths.dir, 'known_hosts'), 'utf8').split('\n');
    const node1Key = lines
      .find((l) => l.startsWith(`${node1.address} `))!
      .split(' ')
      .slice(1)
      .join(' ');
    writeFileSync(
      knownHosts,
      lines.map((l) => (l.startsWith(`${node2.address} `) ? `${node2.address} ${node1Key}` : l)).join('\n'),
    );
    writeFileSync(
      inventoryFile,
      readFileSync(path.join(paths.dir, 'packetlens.yaml'), 'utf8').replace(
        /knownHosts: .*/,
        `knownHosts: ${knownHosts}`,
      ),
    );
    const store = openStore(path.join(dir, 'store.db'));
    try {
      const result = await collectRun(await labHosts(inventoryFile), store, options);
      const byHost = Object.fromEntries(result.hosts.map((h) => [h.host, h]));
      expect(byHost['node-1']!.status).toBe('ok');
      expect(byHost['node-3']!.status).toBe('ok');
      expect(byHost['node-2']!.failure?.kind).toBe('host-key');
    } finally {
      store.close();
    }
  });

  it('reports a stopped sshd as unreachable, keeps the last snapshot as stale, and collects the others', async () => {
    const store = openStore(path.join(work, 'stopped.db'));
    try {
      await collectRun(await labHosts(), store, options);
      const pid = Number(readFileSync(path.join(paths.dir, 'nodes/node-2/sshd.pid'), 'utf8').trim());
      process.kill(pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      const result = await collectRun(await labHosts(), store, options);
      const byHost = Object.fromEntries(result.hosts.map((h) => [h.host, h]));
      expect(byHost['node-2']!.failure?.kind).toBe('unreachable');
      expect(byHost['node-1']!.status).toBe('ok');
      expect(byHost['node-3']!.status).toBe('ok');
      const node2 = store.hostsList().find((h) => h.name === 'node-2')!;
      expect(node2.state).toBe('stale');
      expect(store.snapshotLatest('node-2')).not.toBeNull();
    } finally {
      store.close();
      await labUp(paths, quiet); // restarts the stopped sshd
    }
  }, 300_000);

  it('fails only the host whose command hangs', async () => {
    const dir = mkdtempSync(path.join(work, 'hung-'));
    const inventoryFile = path.join(dir, 'packetlens.yaml');
    writeFileSync(
      inventoryFile,
      readFileSync(path.join(paths.dir, 'packetlens.yaml'), 'utf8').replace(
        /commandTimeoutMs: \d+/,
        'commandTimeoutMs: 4000',
      ),
    );
    // A command wrapper that sleeps, seen only by node-1's sshd: bind-mounted over the iptables
    // binary inside the private mount namespace `ip netns exec` gave that sshd.
    const hang = path.join(dir, 'hang.sh');
    writeFileSync(hang, '#!/bin/sh\nsleep 600\n', { mode: 0o755 });
    const sshd = readFileSync(path.join(paths.dir, 'nodes/node-1/sshd.pid'), 'utf8').trim();
    const binary = (await run('readlink', ['-f', '/usr/sbin/iptables-save'])).stdout.trim();
    const mounted = await run('nsenter', ['-t', sshd, '-m', 'mount', '--bind', hang, binary]);
    expect(mounted.stderr).toBe('');
    const store = openStore(path.join(dir, 'store.db'));
    try {
      const result = await collectRun(await labHosts(inventoryFile), store, options);
      const byHost = Object.fromEntries(result.hosts.map((h) => [h.host, h]));
      expect(byHost['node-1']!.failure?.kind).toBe('timeout');
      expect(byHost['node-2']!.status).toBe('ok');
    } finally {
      store.close();
      // Lazily: the wrapper may still be running until the host's `timeout -k` ends it.
      await run('nsenter', ['-t', sshd, '-m', 'umount', '-l', binary]);
    }
    // The wrapper never reached this namespace's binary.
    expect(readFileSync(binary).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  }, 120_000);

  it('leaves a consistent store when the collector is killed in the middle of a run', async () => {
    const db = path.join(work, 'killed.db');
    const cli = path.resolve(__dirname, '../../bin/packetlens.mjs');
    const inventory = path.join(paths.dir, 'packetlens.yaml');
    const child = spawn(
      process.execPath,
      [cli, 'collect', '--inventory', inventory, '--db', db, '--concurrency', '1'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    // Kill it as soon as the first host is done, while the next ones are in flight.
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        if (d.toString().includes('1/3 hosts')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    await new Promise((r) => child.once('exit', r).once('close', r));
    const raw = new Database(db, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
    const store = openStore(db);
    try {
      const hosts = store.hostsList();
      expect(hosts.filter((h) => h.state === 'fresh').length).toBeGreaterThanOrEqual(1);
      for (const h of hosts.filter((x) => x.lastSnapshotId !== null)) {
        expect(store.snapshotGet(h.lastSnapshotId!)?.snapshot.host.name).toBe(h.name);
      }
      // A later run over the same store completes.
      const result = await collectRun(await labHosts(), store, options);
      expect(result.progress).toMatchObject({ ok: 3, failed: 0 });
    } finally {
      store.close();
    }
  });
});

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildSnapshot, emptySnapshot } from '../../lib/snapshot/build';
import { snapshotStats } from '../../lib/snapshot/stats';
import { sampleHost, sampleRaw, sampleSnapshot, sampleSnapshotFromText } from './sample-kube-proxy';
import { snapshotPrepare } from './prepared-snapshot';
import { openStore } from './sqlite-store';
import { storeSchemaVersion } from './sqlite-schema';
import type { RawOutputs, Store } from './store';
import { StoreError } from './store-error';

const work = mkdtempSync(path.join(tmpdir(), 'packetlens-store-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let opened: Store[] = [];
afterEach(() => {
  for (const store of opened) store.close();
  opened = [];
});

let fileCounter = 0;
function freshFile(): string {
  return path.join(work, `store-${++fileCounter}.db`);
}

function open(file = freshFile()): Store {
  const store = openStore(file);
  opened.push(store);
  return store;
}

function minute(n: number): Date {
  return new Date(Date.UTC(2026, 0, 1, 0, n));
}

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('openStore', () => {
  it('creates the schema in an empty file, in WAL mode with foreign keys on, and reopens it as is', () => {
    const file = freshFile();
    writeFileSync(file, '');
    open(file).close();
    const db = new Database(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(storeSchemaVersion);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = db
        .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
        .pluck()
        .all();
      expect(tables).toEqual([
        'hosts',
        'run_hosts',
        'runs',
        'snapshot_bodies',
        'snapshot_observations',
        'snapshot_stats',
        'snapshots',
      ]);
    } finally {
      db.close();
    }
    const again = open(file);
    expect(again.hostsList()).toEqual([]);
  });

  it('creates the directory of a new file', () => {
    const file = path.join(work, 'nested', 'deeper', 'packetlens.db');
    open(file);
    expect(count(file, 'SELECT count(*) FROM hosts')).toBe(0);
  });

  it('names the file when it is not a database', () => {
    const file = freshFile();
    writeFileSync(file, 'this is not an SQLite file\n'.repeat(200));
    expect(() => openStore(file)).toThrow(new StoreError(file, 'file is not a database'));
    expect(() => openStore(file)).toThrow(`store ${file}: file is not a database`);
  });

  it('names the file when it is damaged past its header', () => {
    const file = freshFile();
    const store = open(file);
    const { host, snapshot, raw, stats } = sampleSnapshot('node-1', { services: 20 }, minute(0));
    store.snapshotSave(host, snapshot, raw, stats, null);
    store.close();
    // Keep the 100-byte header, overwrite the schema page: SQLite sees a database it cannot read.
    const db = Buffer.alloc(4096 * 4, 0xa5);
    const original = new Database(file, { readonly: true }).serialize();
    original.copy(db, 0, 0, 100);
    writeFileSync(file, db);
    rmSync(`${file}-wal`, { force: true });
    expect(() => openStore(file)).toThrow(
      /^store .+\.db: (database disk image is malformed|file is not a database)$/,
    );
  });

  it('refuses an SQLite file of another application', () => {
    const file = freshFile();
    const db = new Database(file);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    db.close();
    expect(() => openStore(file)).toThrow(`store ${file}: not a packetlens store (it holds tables notes)`);
  });

  it('refuses a store written by a newer version', () => {
    const file = freshFile();
    open(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${storeSchemaVersion + 1}`);
    db.close();
    expect(() => openStore(file)).toThrow(
      `store ${file}: schema version ${storeSchemaVersion + 1} was written by a newer packetlens; this one reads up to ${storeSchemaVersion}`,
    );
  });

  it('refuses to work once closed', () => {
    const file = freshFile();
    const store = open(file);
    store.close();
    expect(() => store.hostsList()).toThrow(`store ${file}: the store is closed`);
  });
});

describe('content-addressed snapshots', () => {
  it('stores a snapshot collected 10 times once, with 10 observations', () => {
    const file = freshFile();
    const store = open(file);
    const results = Array.from({ length: 10 }, (_, i) => {
      const { host, snapshot, raw, stats } = sampleSnapshot('node-1', { services: 20 }, minute(i));
      return store.snapshotSave(host, snapshot, raw, stats, null);
    });
    expect(results.map((r) => r.deduplicated)).toEqual([false, ...Array<boolean>(9).fill(true)]);
    expect(new Set(results.map((r) => r.snapshotId)).size).toBe(1);
    expect(count(file, 'SELECT count(*) FROM snapshots')).toBe(1);
    expect(count(file, 'SELECT count(*) FROM snapshot_bodies')).toBe(1);
    expect(count(file, 'SELECT count(*) FROM snapshot_observations')).toBe(10);
    // Nothing changed but the time: no observation stores volatile values.
    expect(count(file, 'SELECT count(*) FROM snapshot_observations WHERE volatile IS NOT NULL')).toBe(0);
    expect(store.snapshotLatest('node-1')?.collectedAt).toBe(minute(9).toISOString());
    expect(store.snapshotLatest('node-1')?.snapshot.host.collectedAt).toBe(minute(9).toISOString());
  });

  it('stores a new body when one rule changes', () => {
    const file = freshFile();
    const store = open(file);
    const first = sampleSnapshot('node-1', { services: 20 }, minute(0));
    const changed = sampleSnapshot('node-1', { services: 20, extraRule: 1 }, minute(5));
    const a = store.snapshotSave(first.host, first.snapshot, first.raw, first.stats, null);
    const b = store.snapshotSave(changed.host, changed.snapshot, changed.raw, changed.stats, null);
    expect(b).toMatchObject({ deduplicated: false });
    expect(b.snapshotId).not.toBe(a.snapshotId);
    expect(count(file, 'SELECT count(*) FROM snapshot_bodies')).toBe(2);
    expect(store.snapshotLatest('node-1')?.snapshot).toEqual(changed.snapshot);
    expect(store.snapshotGet(a.snapshotId)?.snapshot).toEqual(first.snapshot);
  });

  it('keeps the same content of two hosts apart', () => {
    const store = open();
    const a = sampleSnapshot('node-1', { services: 5 }, minute(0));
    const b = sampleSnapshot('node-2', { services: 5 }, minute(0));
    const saved = [a, b].map((s) => store.snapshotSave(s.host, s.snapshot, s.raw, s.stats, null));
    expect(saved.map((s) => s.deduplicated)).toEqual([false, false]);
    expect(store.snapshotLatest('node-2')?.snapshot.host.name).toBe('node-2');
  });

  it('dedupes on rules, and gives each observation back with its own counters', () => {
    const dump = (packets: number) =>
      [
        '*filter',
        `:INPUT ACCEPT [${packets}:${packets * 60}]`,
        ':FORWARD DROP [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        `[${packets}:${packets * 60}] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT`,
        'COMMIT',
        '',
      ].join('\n');
    const file = freshFile();
    const store = open(file);
    const first = sampleSnapshotFromText('node-1', dump(10), minute(0));
    const later = sampleSnapshotFromText('node-1', dump(99), minute(5));
    const a = store.snapshotSave(first.host, first.snapshot, first.raw, first.stats, null);
    const b = store.snapshotSave(later.host, later.snapshot, later.raw, later.stats, null);
    expect(b).toEqual({ snapshotId: a.snapshotId, observationId: b.observationId, deduplicated: true });
    expect(count(file, 'SELECT count(*) FROM snapshot_observations WHERE volatile IS NOT NULL')).toBe(1);
    expect(store.snapshotLatest('node-1')?.snapshot).toEqual(later.snapshot);
    // The stored body is the first observation, raw outputs included.
    expect(store.snapshotGet(a.snapshotId)?.snapshot).toEqual(first.snapshot);
    expect(store.rawGet(a.snapshotId)).toEqual(first.raw);
  });

  it('stores a prepared collection as snapshotSave does, and dedupes it against a direct save', async () => {
    const file = freshFile();
    const store = open(file);
    const first = sampleSnapshot('node-1', { services: 20 }, minute(0));
    const later = sampleSnapshot('node-1', { services: 20 }, minute(5));
    const changed = sampleSnapshot('node-1', { services: 20, extraRule: 1 }, minute(10));
    const prepared = (s: typeof first) => snapshotPrepare(s.snapshot, s.raw, s.stats, s.host.name);
    const a = await store.snapshotSavePrepared(first.host, prepared(first), null);
    const b = store.snapshotSave(later.host, later.snapshot, later.raw, later.stats, null);
    const c = await store.snapshotSavePrepared(changed.host, prepared(changed), null);
    expect([a.deduplicated, b.deduplicated, c.deduplicated]).toEqual([false, true, false]);
    expect(b.snapshotId).toBe(a.snapshotId);
    expect(count(file, 'SELECT count(*) FROM snapshot_bodies')).toBe(2);
    expect(store.snapshotGet(a.snapshotId)?.snapshot).toEqual(first.snapshot);
    expect(store.rawGet(a.snapshotId)).toEqual(first.raw);
    expect(store.snapshotLatest('node-1')?.snapshot).toEqual(changed.snapshot);
    expect(store.historyOf('node-1').map((p) => p.rulesTotal)).toEqual([
      first.stats.rules.total,
      first.stats.rules.total,
      changed.stats.rules.total,
    ]);
  });

  it('names the file when a prepared save fails', async () => {
    const file = freshFile();
    const store = open(file);
    const s = sampleSnapshot('node-1', { services: 1 }, minute(0));
    await expect(
      store.snapshotSavePrepared(s.host, snapshotPrepare(s.snapshot, s.raw, s.stats, 'node-1'), 42),
    ).rejects.toThrow(`store ${file}: no run 42`);
    store.close();
    await expect(
      store.snapshotSavePrepared(s.host, snapshotPrepare(s.snapshot, s.raw, s.stats, 'node-1'), null),
    ).rejects.toThrow(`store ${file}: the store is closed`);
  });

  it('fills in service and endpoint counts an earlier save of the same content did not know', () => {
    const store = open();
    const s = sampleSnapshot('node-1', { services: 3 }, minute(0));
    store.snapshotSave(s.host, s.snapshot, s.raw, s.stats, null);
    const again = sampleSnapshot('node-1', { services: 3 }, minute(1));
    store.snapshotSave(
      again.host,
      again.snapshot,
      again.raw,
      { ...again.stats, services: 3, endpoints: 15 },
      null,
    );
    expect(store.historyOf('node-1').map((p) => [p.services, p.endpoints])).toEqual([
      [3, 15],
      [3, 15],
    ]);
  });

  it('registers the pods of a host snapshot under their host', () => {
    const store = open();
    const snapshot = emptySnapshot({ host: 'node-1', kind: 'host', collectedAt: minute(0).toISOString() });
    for (const name of ['web-1', 'web-0']) {
      snapshot.pods.push(emptySnapshot({ host: name, kind: 'pod', collectedAt: minute(0).toISOString() }));
    }
    store.snapshotSave(sampleHost('node-1'), snapshot, {}, snapshotStats(snapshot), null);
    const [host] = store.hostsList();
    expect(host).toMatchObject({ name: 'node-1', pods: ['web-0', 'web-1'] });
    expect(store.snapshotLatest('node-1')?.snapshot.pods.map((p) => p.host.name)).toEqual(['web-1', 'web-0']);
  });

  it('refuses a snapshot without a valid collection time, naming the host', () => {
    const store = open();
    const snapshot = emptySnapshot({ host: 'node-1', kind: 'host', collectedAt: 'yesterday' });
    expect(() =>
      store.snapshotSave(sampleHost('node-1'), snapshot, {}, snapshotStats(snapshot), null),
    ).toThrow(
      `store ${store.location}: snapshot of node-1: collectedAt: "yesterday" is not an ISO 8601 time`,
    );
  });
});

describe('raw outputs', () => {
  it('come back exactly as saved', () => {
    const store = open();
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "café ☕" -j ACCEPT\nCOMMIT\n';
    const raw: RawOutputs = {
      ...sampleRaw(text),
      'ip -j neigh': {
        stdout: '',
        stderr: 'Cannot open netlink socket: Permission denied\n',
        exitCode: 2,
        missing: false,
      },
      'ipset save': { stdout: 'create s hash:ip\n', stderr: '', exitCode: null, missing: false },
    };
    const snapshot = buildSnapshot([{ origin: 'iptables-save -c', text }], {
      host: 'node-1',
      kind: 'host',
      collectedAt: minute(0).toISOString(),
    });
    const { snapshotId } = store.snapshotSave(
      sampleHost('node-1'),
      snapshot,
      raw,
      snapshotStats(snapshot),
      null,
    );
    expect(store.rawGet(snapshotId)).toEqual(raw);
    expect(store.rawGet(snapshotId + 1)).toBeNull();
  });

  it('are checked on the way in', () => {
    const store = open();
    const snapshot = emptySnapshot({ host: 'node-1', kind: 'host', collectedAt: minute(0).toISOString() });
    const raw = { 'iptables-save': { stdout: '', stderr: '', missing: false } } as unknown as RawOutputs;
    expect(() =>
      store.snapshotSave(sampleHost('node-1'), snapshot, raw, snapshotStats(snapshot), null),
    ).toThrow(
      `store ${store.location}: raw outputs of node-1 does not match its schema at iptables-save.exitCode: Invalid input: expected number, received undefined`,
    );
  });
});

describe('reading back', () => {
  it('checks what it reads and names the file and the record when it does not fit', () => {
    const file = freshFile();
    const store = open(file);
    const s = sampleSnapshot('node-1', { services: 2 }, minute(0));
    const { snapshotId } = store.snapshotSave(s.host, s.snapshot, s.raw, s.stats, null);
    const db = new Database(file);
    db.prepare(`UPDATE snapshot_stats SET by_table = '{"ip/filter": -1}'`).run();
    db.prepare(`UPDATE snapshot_bodies SET parsed = x'00ff'`).run();
    db.close();
    expect(() => store.historyOf('node-1')).toThrow(
      `store ${file}: rules per table of snapshot ${snapshotId} does not match its schema at ip/filter: Too small: expected number to be >=0`,
    );
    expect(() => store.snapshotGet(snapshotId)).toThrow(
      new RegExp(`^store ${file}: snapshot ${snapshotId}: body: cannot decompress \\(.+\\)$`),
    );
  });

  it('refuses to file a snapshot under a run that does not exist', () => {
    const store = open();
    const s = sampleSnapshot('node-1', { services: 2 }, minute(0));
    expect(() => store.snapshotSave(s.host, s.snapshot, s.raw, s.stats, 42)).toThrow(
      `store ${store.location}: no run 42`,
    );
    expect(store.hostsList()).toEqual([]);
  });
});

describe('history', () => {
  it('lists the statistics of every observation, oldest first, whatever order they were saved in', () => {
    const store = open();
    const order = [3, 0, 2, 1];
    for (const i of order) {
      const s = sampleSnapshot('node-1', { services: 4, extraRule: i % 2 === 0 ? undefined : i }, minute(i));
      store.snapshotSave(s.host, s.snapshot, s.raw, s.stats, null);
    }
    const history = store.historyOf('node-1');
    expect(history.map((p) => p.collectedAt)).toEqual([0, 1, 2, 3].map((i) => minute(i).toISOString()));
    const plain = sampleSnapshot('node-1', { services: 4 }, minute(0)).stats;
    expect(history.map((p) => p.rulesTotal)).toEqual([
      plain.rules.total,
      plain.rules.total + 1,
      plain.rules.total,
      plain.rules.total + 1,
    ]);
    expect(history[0]).toEqual({
      collectedAt: minute(0).toISOString(),
      snapshotId: history[2]!.snapshotId,
      runId: null,
      rulesTotal: plain.rules.total,
      chains: plain.chains,
      services: null,
      endpoints: null,
      byTable: plain.rules.byTable,
      longestChain: plain.longestChain,
    });
    expect(store.historyOf('node-1', { byChain: true })[1]?.byChain).toEqual({
      ...plain.rules.byChain,
      'ip/filter/KUBE-FORWARD': plain.rules.byChain['ip/filter/KUBE-FORWARD']! + 1,
    });
    expect(store.historyOf('nobody')).toEqual([]);
  });
});

describe('runs and host state', () => {
  it('marks a host whose last collection failed stale, keeping its last good snapshot and the reason', () => {
    const store = open();
    const hosts = ['node-1', 'node-2', 'node-3', 'node-4'].map(sampleHost);
    const run1 = store.runStart({ hosts, startedAt: minute(0) });
    for (const name of ['node-1', 'node-2']) {
      const s = sampleSnapshot(name, { services: 2 }, minute(0));
      store.snapshotSave(s.host, s.snapshot, s.raw, s.stats, run1);
      store.runHostResult(run1, name, { status: 'ok' });
    }
    const progress = store.runHostResult(run1, 'node-3', {
      status: 'failed',
      failure: { kind: 'unreachable', message: 'connect ECONNREFUSED 198.18.0.13:22' },
    });
    expect(progress).toEqual({ total: 4, done: 3, ok: 2, failed: 1 });
    expect(store.runFinish(run1, minute(1))).toMatchObject({
      finishedAt: minute(1).toISOString(),
      progress: { total: 4, done: 3 },
    });

    const run2 = store.runStart({ hosts: hosts.slice(0, 2), startedAt: minute(5) });
    const s = sampleSnapshot('node-2', { services: 2 }, minute(5));
    store.snapshotSave(s.host, s.snapshot, s.raw, s.stats, run2);
    store.runHostResult(run2, 'node-2', { status: 'ok' });
    store.runHostResult(
      run2,
      'node-1',
      { status: 'failed', failure: { kind: 'host-key', message: 'host key for 198.18.0.11 changed' } },
      { startedAt: minute(5), finishedAt: minute(6) },
    );
    store.runFinish(run2, minute(6));

    const list = store.hostsList();
    expect(list.map(({ name, state }) => [name, state])).toEqual([
      ['node-1', 'stale'],
      ['node-2', 'fresh'],
      ['node-3', 'failed'],
      ['node-4', 'pending'],
    ]);
    expect(list[0]).toMatchObject({
      reason: { kind: 'host-key', message: 'host key for 198.18.0.11 changed' },
      lastSeen: minute(0).toISOString(),
      lastFailureAt: minute(6).toISOString(),
      lastSnapshotId: store.snapshotLatest('node-1')?.snapshotId,
    });
    expect(list[2]).toMatchObject({
      reason: { kind: 'unreachable', message: 'connect ECONNREFUSED 198.18.0.13:22' },
      lastSeen: null,
    });
    expect(store.snapshotLatest('node-1')).toMatchObject({
      runId: run1,
      collectedAt: minute(0).toISOString(),
    });
    expect(store.runGet(run2)?.hosts).toEqual([
      {
        host: 'node-1',
        status: 'failed',
        failure: { kind: 'host-key', message: 'host key for 198.18.0.11 changed' },
        startedAt: minute(5).toISOString(),
        finishedAt: minute(6).toISOString(),
      },
      { host: 'node-2', status: 'ok', failure: null, startedAt: null, finishedAt: expect.any(String) },
    ]);

    // A later success makes it fresh again.
    const run3 = store.runStart({ hosts: [hosts[0]!] });
    const again = sampleSnapshot('node-1', { services: 2 }, minute(10));
    store.snapshotSave(again.host, again.snapshot, again.raw, again.stats, run3);
    store.runHostResult(run3, 'node-1', { status: 'ok' });
    expect(store.hostsList()[0]).toMatchObject({ name: 'node-1', state: 'fresh' });
  });

  it('marks a host stale when its last good collection is older than asked', () => {
    const store = open();
    const s = sampleSnapshot('node-1', { services: 2 }, minute(0));
    store.snapshotSave(s.host, s.snapshot, s.raw, s.stats, null);
    expect(store.hostsList({ staleAfterMs: 15 * 60_000, now: minute(10) })[0]).toMatchObject({
      state: 'fresh',
    });
    expect(store.hostsList({ staleAfterMs: 15 * 60_000, now: minute(20) })[0]).toMatchObject({
      state: 'stale',
      reason: { kind: 'outdated', message: 'last collected 2026-01-01T00:00:00.000Z, more than 15 min ago' },
    });
  });

  it('records host labels, address and kind, and keeps them current', () => {
    const store = open();
    store.runStart({ hosts: [{ name: 'laptop', kind: 'host', address: null, labels: {} }] });
    store.runStart({
      hosts: [{ name: 'laptop', kind: 'host', address: '198.18.0.2', labels: { site: 'home' } }],
    });
    expect(store.hostsList()[0]).toMatchObject({
      name: 'laptop',
      kind: 'host',
      address: '198.18.0.2',
      labels: { site: 'home' },
    });
  });

  it('refuses an outcome for a host the run does not have, and a host listed twice', () => {
    const store = open();
    const runId = store.runStart({ hosts: [sampleHost('node-1')] });
    expect(() => store.runHostResult(runId, 'node-9', { status: 'ok' })).toThrow(
      `store ${store.location}: run ${runId} has no host node-9`,
    );
    expect(() => store.runStart({ hosts: [sampleHost('node-1'), sampleHost('node-1')] })).toThrow(
      `store ${store.location}: run: host node-1 is listed twice`,
    );
    expect(store.runGet(runId + 1)).toBeNull();
  });
});

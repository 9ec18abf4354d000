import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotContent } from './snapshot-content';
import { openStore } from './sqlite-store';

const repo = path.resolve(__dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'packetlens-store-crash-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HOSTS = 4;

/**
 * Runs crash-writer.ts until it has committed `saves` saves and started the next, then SIGKILLs it
 * within that save (hashing, compressing or inside its transaction). Resolves to the last count of
 * committed saves it reported.
 */
function writeUntilKilled(file: string, saves: number, startMinute: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'collector/store/crash-writer.ts', file, String(HOSTS), '150', String(startMinute)],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let reported = 0;
    let pending = '';
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^(saving|saved) (\d+)$/.exec(line);
        if (m?.[1] === 'saved') reported = Number(m[2]);
        if (m?.[1] === 'saving' && Number(m[2]) > saves && !killing) {
          killing = true;
          setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 25));
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(reported);
      else reject(new Error(`crash-writer exited with ${code ?? signal} before it was killed:\n${stderr}`));
    });
  });
}

function inspect(file: string) {
  // A plain connection first: WAL recovery and the checks see the file exactly as the kill left it.
  const db = new Database(file);
  try {
    const one = (sql: string) => db.prepare(sql).pluck().get();
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      foreignKeyProblems: db.pragma('foreign_key_check'),
      observations: one('SELECT count(*) FROM snapshot_observations') as number,
      snapshots: one('SELECT count(*) FROM snapshots') as number,
      withoutBody: one(
        'SELECT count(*) FROM snapshots s WHERE NOT EXISTS (SELECT 1 FROM snapshot_bodies b WHERE b.snapshot_id = s.id)',
      ),
      withoutStats: one(
        'SELECT count(*) FROM snapshots s WHERE NOT EXISTS (SELECT 1 FROM snapshot_stats t WHERE t.snapshot_id = s.id)',
      ),
      withoutObservation: one(
        'SELECT count(*) FROM snapshots s WHERE NOT EXISTS (SELECT 1 FROM snapshot_observations o WHERE o.snapshot_id = s.id)',
      ),
      lastSeenMismatch: one(
        `SELECT count(*) FROM hosts h WHERE h.parent_id IS NULL AND h.last_seen IS NOT
           (SELECT max(collected_at) FROM snapshot_observations o WHERE o.host_id = h.id)`,
      ),
      snapshotIds: db.prepare('SELECT id, content_hash FROM snapshots ORDER BY id').all() as {
        id: number;
        content_hash: string;
      }[],
    };
  } finally {
    db.close();
  }
}

describe('the SQLite store under SIGKILL', () => {
  it('keeps every committed save and no half snapshot, kill after kill', async () => {
    const file = path.join(work, 'packetlens.db');
    let committed = 0;
    for (let cycle = 0; cycle < 3; cycle++) {
      committed += await writeUntilKilled(file, 12, cycle * 1000);
      const state = inspect(file);
      expect(state.integrity).toBe('ok');
      expect(state.foreignKeyProblems).toEqual([]);
      expect(state).toMatchObject({
        withoutBody: 0,
        withoutStats: 0,
        withoutObservation: 0,
        lastSeenMismatch: 0,
      });
      // Every save reported survived; at most the one in flight committed before its line was read.
      expect(state.observations).toBeGreaterThanOrEqual(committed);
      expect(state.observations).toBeLessThanOrEqual(committed + 1);
      committed = state.observations;

      // Everything reads back through the store, and each body still has the hash it is filed under.
      const store = openStore(file);
      try {
        for (const { id, content_hash } of state.snapshotIds) {
          const stored = store.snapshotGet(id);
          expect(stored && snapshotContent(stored.snapshot).hash).toBe(content_hash);
          expect(store.rawGet(id)?.['iptables-save -c']?.exitCode).toBe(0);
        }
        const hosts = store.hostsList();
        expect(hosts).toHaveLength(HOSTS);
        const points = hosts.reduce((n, h) => n + store.historyOf(h.name).length, 0);
        expect(points).toBe(state.observations);
        // Three rule sets per host, so dedupe shows once each host has been collected 4 times.
        expect(state.snapshots).toBeLessThanOrEqual(3 * HOSTS);
      } finally {
        store.close();
      }
    }
  });
});

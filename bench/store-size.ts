/**
 * npx tsx bench/store-size.ts — what the store costs on disk: 50 kube-proxy nodes of 1,000
 * services, identical but for one rule each, collected 10 times. Printed beside the raw text and
 * beside keeping every collection's raw text gzipped, so the content hashing shows: each distinct
 * snapshot is stored once, and each later collection of it costs only an observation row.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { bytes, table } from './bench-util';
import {
  sampleIptablesText,
  sampleSnapshotFromText,
  type Sample,
} from '../collector/store/sample-kube-proxy';
import { openStore } from '../collector/store/sqlite-store';
import { fmt, median, outDir } from './bench-util';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 50);
const SERVICES = Number(process.env.BENCH_SERVICES ?? 1000);
const COLLECTIONS = 10;

/** Stored sizes straight from the tables: what the bodies and the observations take. */
function storedSizes(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const one = (sql: string) => Number(db.prepare(sql).pluck().get() ?? 0);
    return {
      snapshots: one('SELECT count(*) FROM snapshots'),
      observations: one('SELECT count(*) FROM snapshot_observations'),
      parsedJson: one('SELECT avg(parsed_bytes) FROM snapshot_bodies'),
      parsedStored: one('SELECT avg(length(parsed)) FROM snapshot_bodies'),
      rawStored: one('SELECT avg(length(raw)) FROM snapshot_bodies'),
      volatileStored: one('SELECT avg(length(volatile_base)) FROM snapshot_bodies'),
      byChainStored: one('SELECT avg(length(by_chain)) FROM snapshot_stats'),
      observationVolatile: one('SELECT coalesce(sum(length(volatile)), 0) FROM snapshot_observations'),
      // Pages of the observation table and its indexes: what an unchanged collection adds.
      observationPages: one(
        `SELECT sum(pgsize) FROM dbstat WHERE name = 'snapshot_observations' OR name LIKE 'observations_by_%'`,
      ),
    };
  } finally {
    db.close();
  }
}

function main(): void {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'store-size.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });

  const texts = Array.from({ length: HOSTS }, (_, h) =>
    sampleIptablesText({ services: SERVICES, extraRule: h }),
  );
  const rawText = Buffer.byteLength(texts[0]!);
  const rawGzip = gzipSync(texts[0]!, { level: 6 }).length;
  const rules = texts[0]!.split('\n').filter((l) => l.startsWith('-A ')).length;
  console.log(
    `${HOSTS} hosts x ${COLLECTIONS} collections; each host ${SERVICES} services x 5 endpoints, ${rules} rules, ` +
      `identical but for one rule`,
  );

  const started = performance.now();
  const samples: Sample[] = texts.map((text, h) => sampleSnapshotFromText(`node-${h}`, text, new Date(0)));
  const buildMs = performance.now() - started;

  const store = openStore(file);
  const firstSaves: number[] = [];
  const laterSaves: number[] = [];
  let deduplicated = 0;
  for (let c = 0; c < COLLECTIONS; c++) {
    const collectedAt = new Date(Date.UTC(2026, 0, 1, 0, 5 * c)).toISOString();
    const runId = store.runStart({ hosts: samples.map((s) => s.host) });
    for (const sample of samples) {
      const snapshot = { ...sample.snapshot, host: { ...sample.snapshot.host, collectedAt } };
      const t = performance.now();
      const saved = store.snapshotSave(sample.host, snapshot, sample.raw, sample.stats, runId);
      (c === 0 ? firstSaves : laterSaves).push(performance.now() - t);
      if (saved.deduplicated) deduplicated++;
      store.runHostResult(runId, sample.host.name, { status: 'ok' });
    }
    store.runFinish(runId);
  }
  // Closing the last connection checkpoints the WAL into the file and removes it.
  store.close();
  if (existsSync(`${file}-wal`)) throw new Error(`${file}-wal is still there after close`);

  const dbSize = statSync(file).size;
  const s = storedSizes(file);
  const observations = HOSTS * COLLECTIONS;
  const peerRaw = rawText * observations;
  const peerGzip = rawGzip * observations;
  console.log(
    `built ${HOSTS} snapshots in ${fmt(buildMs)}; ${deduplicated} of ${observations} saves deduplicated`,
  );
  console.log('');
  table([
    ['store file', bytes(dbSize), `${s.snapshots} distinct snapshots, ${s.observations} observations`],
    ['bytes per observation', bytes(dbSize / observations), ''],
    ['bytes per distinct snapshot', bytes(dbSize / s.snapshots), ''],
    ['', '', ''],
    ['raw iptables-save text, one collection', bytes(rawText), `gzip -6: ${bytes(rawGzip)}`],
    ['peer: raw text of every collection', bytes(peerRaw), `${(peerRaw / dbSize).toFixed(0)}x the store`],
    [
      'peer: gzipped raw text of every collection',
      bytes(peerGzip),
      `${(peerGzip / dbSize).toFixed(1)}x the store`,
    ],
    ['', '', ''],
    ['per distinct snapshot: parsed JSON', bytes(s.parsedJson), `stored brotli: ${bytes(s.parsedStored)}`],
    ['per distinct snapshot: raw outputs stored', bytes(s.rawStored), ''],
    [
      'per distinct snapshot: volatile values, rules per chain',
      bytes(s.volatileStored),
      bytes(s.byChainStored),
    ],
    ['volatile values of all observations', bytes(s.observationVolatile), 'nothing changed but the time'],
    [
      'observation rows and their indexes',
      bytes(s.observationPages),
      `${bytes(s.observationPages / s.observations)} per observation`,
    ],
    ['', '', ''],
    ['save, new content (median)', fmt(median(firstSaves)), ''],
    ['save, unchanged content (median)', fmt(median(laterSaves)), ''],
  ]);
}

main();

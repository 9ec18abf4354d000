/**
 * npm run bench:parse — how fast packetlens reads a kube-proxy node of 10,000 services x 5
 * endpoints, beside the floor (read + split + tokenize) and the peer (`iptables-restore --test`).
 * Targets: >= 3x faster than the peer, <= 2.5x the floor, peak RSS < 600 MB; nft -j normalization
 * <= 1.5x a bare JSON.parse of the same text.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { netnsRun, withNetns } from '../collector/netns/netns';
import { kubeProxyIptablesSave } from '../lib/generate/kube-proxy-iptables';
import { fmt, measure, median, outDir, table, verdict } from './bench-util';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 10_000);
const ENDPOINTS = 5;

async function main(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('bench:parse needs root: the peer runs iptables-restore in a network namespace');
  mkdirSync(outDir, { recursive: true });
  const dumpFile = path.join(outDir, `kube-proxy-${SERVICES}x${ENDPOINTS}.iptables`);
  const text = kubeProxyIptablesSave({ services: SERVICES, endpointsPerService: ENDPOINTS });
  // The generator is deterministic: keep the file (and the nft JSON made from it) when unchanged.
  if (!existsSync(dumpFile) || readFileSync(dumpFile, 'utf8') !== text) writeFileSync(dumpFile, text);
  const mb = statSync(dumpFile).size / 1e6;
  const rules = text.split('\n').filter((l) => l.startsWith('-A ')).length;
  console.log(
    `dump: ${dumpFile}: ${rules} rules, ${mb.toFixed(1)} MB (${SERVICES} services x ${ENDPOINTS} endpoints)`,
  );

  const parse = measure('iptables-parse', dumpFile);
  // Peak RSS of one parse in a process of its own (repeated runs also hold the previous result).
  const parseOnce = measure('iptables-parse', dumpFile, 1);
  const floor = measure('floor', dumpFile);
  const peer = await withNetns('bench-parse', async (ns) => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const r = await netnsRun(ns, 'iptables-restore', ['--test'], text);
      if (r.code !== 0) throw new Error(`iptables-restore --test failed: ${r.stderr}`);
      times.push(performance.now() - started);
    }
    return times;
  });

  const jsonFile = path.join(outDir, `kube-proxy-${SERVICES}x${ENDPOINTS}.nft.json`);
  if (!existsSync(jsonFile) || statSync(jsonFile).mtimeMs < statSync(dumpFile).mtimeMs) {
    // The same rules as nft sees them: loaded by iptables-nft into a namespace, listed by nft -j.
    await withNetns('bench-nftjson', async (ns) => {
      const loaded = await netnsRun(ns, 'iptables-restore', [], text);
      if (loaded.code !== 0) throw new Error(`iptables-restore failed: ${loaded.stderr}`);
      const listed = await netnsRun(ns, 'nft', ['-j', 'list', 'ruleset']);
      if (listed.code !== 0) throw new Error(`nft -j list ruleset failed: ${listed.stderr}`);
      writeFileSync(jsonFile, listed.stdout);
    });
  }
  const jsonMb = statSync(jsonFile).size / 1e6;
  const jsonParse = measure('json-parse', jsonFile);
  const nftParse = measure('nft-parse', jsonFile);

  const p = median(parse.ms);
  const f = median(floor.ms);
  const r = median(peer);
  const j = median(jsonParse.ms);
  const n = median(nftParse.ms);
  const rows: [string, string, string, string][] = [
    ['packetlens parse (median of 5)', fmt(p), `${(mb / (p / 1000)).toFixed(1)} MB/s`, ''],
    [
      'floor: read + split + tokenize',
      fmt(f),
      `${(p / f).toFixed(2)}x floor`,
      `target <= 2.5x: ${verdict(p / f <= 2.5)}`,
    ],
    [
      'peer: iptables-restore --test (median of 3)',
      fmt(r),
      `${(r / p).toFixed(2)}x slower than packetlens`,
      `target >= 3x: ${verdict(r / p >= 3)}`,
    ],
    [
      'packetlens parse peak RSS (one parse)',
      `${parseOnce.maxRssMb.toFixed(0)} MB`,
      '',
      `target < 600 MB: ${verdict(parseOnce.maxRssMb < 600)}`,
    ],
    [`nft -j JSON (${jsonMb.toFixed(1)} MB): JSON.parse`, fmt(j), '', ''],
    [
      'nft -j JSON: packetlens normalization',
      fmt(n),
      `${(n / j).toFixed(2)}x JSON.parse`,
      `target <= 1.5x: ${verdict(n / j <= 1.5)}`,
    ],
  ];
  table(rows);
}

main().catch((e: unknown) => {
  console.error(`bench:parse: ${(e as Error).message}`);
  process.exit(1);
});

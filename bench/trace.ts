/**
 * npm run bench:trace — the simulator on kube-proxy nodes of 100 and 10,000 services x 5 endpoints
 * (the parse benchmark's generator): the one-time index build beside that dump's parse time, and
 * the median time to trace one packet to a random service and to a non-service address, indexed
 * and through a naive walk of every rule (the kernel's own method). Targets: index build <= parse;
 * at 10,000 services the trace >= 50x faster than the naive walk, and <= 2x the trace at 100.
 *
 * Fair to both walks: each gets its own parse of the dump (per-rule results are kept with the
 * parsed rules, so neither profits from what the other filled in), each index build is timed on a
 * fresh parse (nothing left from an earlier build), and both walks are warmed up on other packets
 * than the measured ones, long enough for the JIT to settle (BENCH_WARMUP per kind, default 1000).
 */
import { parseIptablesSave } from '../lib/iptables/parse-save';
import { kubeProxyIptablesSave, kubeProxyServices } from '../lib/generate/kube-proxy-iptables';
import type { TraceQuery } from '../lib/simulate/query';
import { simulatorBuild } from '../lib/simulate/simulate';
import { receivedQuery, testHost } from '../lib/simulate/testing/node.test-support';
import { fmt, median, table, verdict } from './bench-util';

const ENDPOINTS = 5;
const PACKETS = Number(process.env.BENCH_PACKETS ?? 1000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);

/** A small deterministic generator, so both walks trace the same packets. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

interface SizeResult {
  services: number;
  rules: number;
  parseMs: number;
  buildMs: number;
  service: { indexed: number; naive: number };
  other: { indexed: number; naive: number };
}

function measureSize(services: number): SizeResult {
  const text = kubeProxyIptablesSave({ services, endpointsPerService: ENDPOINTS });
  const rules = text.split('\n').filter((l) => l.startsWith('-A ')).length;
  const parseMs = median([0, 1, 2].map(() => time(() => parseIptablesSave(text, { file: 'bench' }))));
  const host = () =>
    testHost({
      name: 'node',
      ifaces: [{ name: 'eth0', addresses: ['192.168.0.2/24'] }],
      routes: [{ dst: 'default', via: '192.168.0.1', dev: 'eth0' }],
      iptables: [text],
    });
  const buildMs = median(
    [0, 1, 2].map(() => {
      const fresh = host();
      return time(() => simulatorBuild([fresh]));
    }),
  );
  const indexed = simulatorBuild([host()]);
  const naive = simulatorBuild([host()], { naive: true });
  const svcs = kubeProxyServices({ services, endpointsPerService: ENDPOINTS });
  const run = (sim: typeof indexed, queries: TraceQuery[]): number =>
    median(queries.map((q) => time(() => sim.trace(q))));
  const random = rng(services);
  const packets = (n: number) => ({
    toService: Array.from({ length: n }, () => {
      const s = svcs[Math.floor(random() * svcs.length)]!;
      return receivedQuery(s.clusterIp, s.port);
    }),
    toOther: Array.from({ length: n }, () =>
      receivedQuery(`198.51.100.${1 + Math.floor(random() * 250)}`, 443),
    ),
  });
  const { toService, toOther } = packets(PACKETS);
  // Warm both walks up on other packets, so neither is timed while its code is being compiled.
  const warm = packets(WARMUP);
  for (const sim of [indexed, naive]) {
    run(sim, warm.toService);
    run(sim, warm.toOther);
  }
  return {
    services,
    rules,
    parseMs,
    buildMs,
    service: { indexed: run(indexed, toService), naive: run(naive, toService) },
    other: { indexed: run(indexed, toOther), naive: run(naive, toOther) },
  };
}

function main(): void {
  const small = measureSize(100);
  const large = measureSize(Number(process.env.BENCH_SERVICES ?? 10_000));
  const rows = [['', `${small.services} services`, `${large.services} services`]];
  rows.push(['rules', String(small.rules), String(large.rules)]);
  rows.push(['parse (peer of the index build)', fmt(small.parseMs), fmt(large.parseMs)]);
  rows.push(['index build', fmt(small.buildMs), fmt(large.buildMs)]);
  for (const kind of ['service', 'other'] as const) {
    rows.push([
      `trace to a ${kind === 'service' ? 'service' : 'non-service address'} (median of ${PACKETS})`,
      fmt(small[kind].indexed),
      fmt(large[kind].indexed),
    ]);
    rows.push([`  naive walk of every rule`, fmt(small[kind].naive), fmt(large[kind].naive)]);
  }
  table(rows);
  const buildOk = large.buildMs <= large.parseMs;
  console.log(
    `\nindex build ${fmt(large.buildMs)} vs parse ${fmt(large.parseMs)}: ${(large.buildMs / large.parseMs).toFixed(2)}x (target <= 1x) ${verdict(buildOk)}`,
  );
  for (const kind of ['service', 'other'] as const) {
    const speedup = large[kind].naive / large[kind].indexed;
    const growth = large[kind].indexed / small[kind].indexed;
    console.log(
      `${kind === 'service' ? 'service' : 'non-service'}: naive/indexed at ${large.services} = ${speedup.toFixed(1)}x (target >= 50x) ${verdict(speedup >= 50)}; indexed ${large.services}/${small.services} = ${growth.toFixed(2)}x (target <= 2x) ${verdict(growth <= 2)}`,
    );
  }
}

main();

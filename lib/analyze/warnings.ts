import { z } from 'zod';
import type { IptablesDump } from '../model/iptables';
import type { Snapshot } from '../model/snapshot';
import { snapshotStats } from '../snapshot/stats';
import { chainReferences, kubeHashedChain } from './chain-references';
import { iptDnatEntryCosts } from './dnat-flows';
import { dnatReachability } from './dnat-reachability';
import { kubeServiceCounts, kubeServices } from './kube-services';
import { RestoreCalibration, restoreSeconds } from './restore-calibration';
import { RuleRef, ruleRefLabel } from './rule-ref';
import { ShadowBound } from './shadowing';
import { snapshotShadowing } from './shadowing';
import type { Severity, ThresholdId } from './thresholds';
import { thresholdCrossed, thresholdOf } from './thresholds';
import { WarningFields } from './warning-fields';

/**
 * Performance and hygiene warnings of one snapshot (its own namespace): each one a measured number
 * against a threshold of thresholds.ts, with why it matters, its sources and what helps.
 */

export const Warning = WarningFields.extend({
  /** The rules the warning is about (at most 100; `more` counts the rest). */
  rules: z.array(RuleRef),
});
export type Warning = z.infer<typeof Warning>;

const DumpMeasure = z.object({
  family: z.enum(['ip', 'ip6']),
  backend: z.enum(['nft', 'legacy', 'unknown']),
  rules: z.number().int().nonnegative(),
  /** Bytes of the rules as iptables-save writes them (rule lines, chain lines, table lines; no counters). */
  bytes: z.number().int().nonnegative(),
  /** Expected full iptables-restore time, from the calibration. */
  restoreSeconds: z.number().nonnegative(),
  /** Rules in nat KUBE-SERVICES; null without one. */
  kubeServicesRules: z.number().int().nonnegative().nullable(),
  /** Rules a new connection evaluates in nat before reaching its DNAT entry: the worst, and the mean over entries. */
  firstPacket: z
    .object({
      worst: z.number().int().nonnegative(),
      expected: z.number().nonnegative(),
      entries: z.number().int().nonnegative(),
      worstEntry: RuleRef,
    })
    .nullable(),
});

export const Measurements = z.object({
  rulesTotal: z.number().int().nonnegative(),
  rulesByTable: z.record(z.string(), z.number().int().nonnegative()),
  longestChain: z
    .object({
      family: z.string(),
      table: z.string(),
      chain: z.string(),
      rules: z.number().int().nonnegative(),
    })
    .nullable(),
  dumps: z.array(DumpMeasure),
  services: z.number().int().nonnegative(),
  endpoints: z.number().int().nonnegative(),
  backendsWithRules: z.array(z.enum(['nft', 'legacy'])),
  conntrack: z
    .object({ count: z.number().int().nonnegative(), max: z.number().int().positive(), percent: z.number() })
    .nullable(),
});
export type Measurements = z.infer<typeof Measurements>;

export const WarningsResult = z.object({
  host: z.string(),
  warnings: z.array(Warning),
  measurements: Measurements,
  calibration: RestoreCalibration,
  /** Checks that could not run on this snapshot, and why. */
  notChecked: z.array(z.string()),
  /** Chains where the shadowing check stopped at its bound. */
  shadowingBounded: z.array(ShadowBound),
});
export type WarningsResult = z.infer<typeof WarningsResult>;

export interface WarningsOptions {
  /** Restore timings of the machine the numbers should hold for (restore-calibration.ts). */
  calibration: RestoreCalibration;
}

const MAX_RULES = 100;
const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

function dumpKey(dump: IptablesDump, all: readonly IptablesDump[]): string {
  const both = all.some((d) => d !== dump && d.family === dump.family);
  return `${dump.family}${dump.backend === 'legacy' && both ? '@legacy' : ''}`;
}

function dumpBytes(dump: IptablesDump): number {
  let bytes = 0;
  for (const table of dump.tables) {
    bytes += table.name.length + 2 + 'COMMIT\n'.length;
    for (const chain of table.chains) {
      bytes += `:${chain.name} ${chain.policy ?? '-'} [0:0]\n`.length;
      for (const rule of chain.rules) bytes += rule.text.length + 1;
    }
  }
  return bytes;
}

function number(n: number): string {
  return Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

class WarningList {
  readonly list: Warning[] = [];

  add(
    id: ThresholdId,
    subject: string,
    measured: number,
    message: string,
    rules: readonly RuleRef[] = [],
  ): void {
    const t = thresholdOf(id);
    const crossed = thresholdCrossed(t, measured);
    if (!crossed) return;
    this.list.push({
      id,
      severity: crossed.severity,
      subject,
      measured,
      threshold: crossed.threshold,
      unit: t.unit,
      message: `${message} (${crossed.severity} above ${number(crossed.threshold)} ${t.unit})`,
      reason: t.reason,
      action: t.action,
      sources: t.sources,
      rules: rules.slice(0, MAX_RULES),
      more: Math.max(0, rules.length - MAX_RULES),
    });
  }
}

function dumpMeasures(snapshot: Snapshot, calibration: RestoreCalibration) {
  const dumps = snapshot.netfilter.iptables;
  return dumps.map((dump) => {
    const rules = dump.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0);
    const nat = dump.tables.find((t) => t.name === 'nat');
    const kubeServicesChain = nat?.chains.find((c) => c.name === 'KUBE-SERVICES');
    const costs = iptDnatEntryCosts(dump);
    let worst = costs[0];
    let sum = 0;
    for (const c of costs) {
      sum += c.rules;
      if (c.rules > worst!.rules) worst = c;
    }
    return {
      key: dumpKey(dump, dumps),
      measure: {
        family: dump.family,
        backend: dump.backend,
        rules,
        bytes: dumpBytes(dump),
        restoreSeconds: restoreSeconds(calibration, rules),
        kubeServicesRules: kubeServicesChain ? kubeServicesChain.rules.length : null,
        firstPacket: worst
          ? {
              worst: worst.rules,
              expected: sum / costs.length,
              entries: costs.length,
              worstEntry: worst.entry,
            }
          : null,
      },
    };
  });
}

function conntrackOf(snapshot: Snapshot): Measurements['conntrack'] {
  const count = Number(snapshot.sysctls['net.netfilter.nf_conntrack_count']);
  const max = Number(snapshot.sysctls['net.netfilter.nf_conntrack_max']);
  if (!Number.isInteger(count) || !Number.isInteger(max) || max <= 0) return null;
  return { count, max, percent: (100 * count) / max };
}

export function snapshotWarnings(snapshot: Snapshot, options: WarningsOptions): WarningsResult {
  const w = new WarningList();
  const notChecked: string[] = [];
  const stats = snapshotStats(snapshot);

  w.add('host-rules', 'host', stats.rules.total, `${number(stats.rules.total)} rules on the host`);
  for (const [table, n] of Object.entries(stats.rules.byTable))
    w.add('table-rules', table, n, `${number(n)} rules in ${table}`);
  const l = stats.longestChain;
  if (l)
    w.add(
      'longest-chain',
      `${l.family}/${l.table} ${l.chain}`,
      l.rules,
      `${number(l.rules)} rules in ${l.family}/${l.table} ${l.chain}`,
    );

  const dumps = dumpMeasures(snapshot, options.calibration);
  for (const { key, measure: m } of dumps) {
    if (m.kubeServicesRules !== null)
      w.add(
        'kube-services-rules',
        `${key}/nat KUBE-SERVICES`,
        m.kubeServicesRules,
        `${number(m.kubeServicesRules)} rules in ${key}/nat KUBE-SERVICES`,
      );
    if (m.firstPacket)
      w.add(
        'first-packet-rules',
        `${key}/nat`,
        m.firstPacket.worst,
        `a new connection evaluates up to ${number(m.firstPacket.worst)} nat rules before its DNAT entry (${number(Math.round(m.firstPacket.expected))} on average over ${number(m.firstPacket.entries)} entries; the last: ${ruleRefLabel(m.firstPacket.worstEntry)})`,
        [m.firstPacket.worstEntry],
      );
    w.add(
      'restore-seconds',
      `${key} (${m.backend})`,
      m.restoreSeconds,
      `a full restore of the ${number(m.rules)} ${key} rules (${number(m.bytes)} bytes) should take about ${number(m.restoreSeconds)} s on the ${options.calibration.origin === 'measured' ? 'measured machine' : 'reference machine'}`,
    );
  }

  const services = kubeServices(snapshot);
  const counts = kubeServiceCounts(services);
  for (const s of services)
    w.add(
      'service-endpoints',
      s.service ?? s.chain ?? 'service',
      s.endpoints.length,
      `${s.service ?? s.chain} has ${number(s.endpoints.length)} endpoints`,
    );
  w.add('large-cluster-mode', 'host', counts.endpoints, `${number(counts.endpoints)} kube-proxy endpoints`);

  const backends = snapshot.host.backendsWithRules;
  w.add(
    'both-backends',
    'host',
    backends.length,
    `rules in ${backends.length} iptables backends (${backends.join(' and ')})`,
  );

  const conntrack = conntrackOf(snapshot);
  if (conntrack)
    w.add(
      'conntrack-usage',
      'host',
      conntrack.percent,
      `${number(conntrack.count)} of ${number(conntrack.max)} conntrack entries in use (${conntrack.percent.toFixed(1)} %)`,
    );
  else
    notChecked.push(
      'conntrack usage: net.netfilter.nf_conntrack_count and nf_conntrack_max were not collected',
    );

  const shadowing = snapshotShadowing(snapshot);
  const duplicates = shadowing.findings.filter((f) => f.kind === 'duplicate');
  const shadowed = shadowing.findings.filter((f) => f.kind === 'shadowed');
  const undecided = shadowing.findings.filter((f) => f.kind === 'undecided');
  w.add(
    'duplicate-rules',
    'host',
    duplicates.length,
    `${number(duplicates.length)} rules repeat an earlier rule of their chain`,
    duplicates.map((f) => f.rule),
  );
  w.add(
    'shadowed-rules',
    'host',
    shadowed.length,
    `${number(shadowed.length)} rules never match: an earlier rule of their chain catches all their packets (first: ${shadowed[0] ? `${ruleRefLabel(shadowed[0].rule)} behind ${ruleRefLabel(shadowed[0].by)}` : ''})`,
    shadowed.map((f) => f.rule),
  );
  if (undecided.length)
    notChecked.push(
      `shadowing of ${undecided.length} rules: they would be shadowed, but use conditions packetlens does not interpret (${[...new Set(undecided.flatMap((f) => f.unknown))].slice(0, 3).join('; ')})`,
    );

  const refs = chainReferences(snapshot);
  const stale = refs.unreferenced.filter((c) => kubeHashedChain(c.chain));
  const unreferenced = refs.unreferenced.filter((c) => !kubeHashedChain(c.chain));
  const chainList = (cs: typeof refs.unreferenced) =>
    cs
      .slice(0, 5)
      .map((c) => `${c.family}/${c.table} ${c.chain}`)
      .join(', ') + (cs.length > 5 ? ', ...' : '');
  w.add(
    'unreferenced-chains',
    'host',
    unreferenced.length,
    `${number(unreferenced.length)} user chains nothing jumps to: ${chainList(unreferenced)}`,
  );
  w.add(
    'stale-kube-chains',
    'host',
    stale.length,
    `${number(stale.length)} kube-proxy chains nothing jumps to: ${chainList(stale)}`,
  );
  w.add(
    'empty-chain-jumps',
    'host',
    refs.emptyJumps.length,
    `${number(refs.emptyJumps.length)} rules jump to an empty chain (${[...new Set(refs.emptyJumps.map((j) => j.chain))].slice(0, 5).join(', ')})`,
    refs.emptyJumps.map((j) => j.rule),
  );

  const reach = dnatReachability(snapshot);
  const unroutable = [...new Set(reach.unroutable.map((u) => u.address))];
  w.add(
    'dnat-unroutable',
    'host',
    unroutable.length,
    `${number(unroutable.length)} of ${number(reach.checked)} DNAT target addresses have no usable route (${reach.unroutable
      .slice(0, 3)
      .map((u) => `${u.address}: ${u.reason}`)
      .join('; ')})`,
    reach.unroutable.map((u) => u.rule),
  );
  for (const f of reach.notChecked)
    notChecked.push(`DNAT reachability (${f}): the snapshot holds no ${f === 'ip' ? 'IPv4' : 'IPv6'} routes`);

  return {
    host: snapshot.host.name,
    warnings: w.list.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]),
    measurements: {
      rulesTotal: stats.rules.total,
      rulesByTable: stats.rules.byTable,
      longestChain: stats.longestChain,
      dumps: dumps.map((d) => d.measure),
      services: counts.services,
      endpoints: counts.endpoints,
      backendsWithRules: backends,
      conntrack,
    },
    calibration: options.calibration,
    notChecked,
    shadowingBounded: shadowing.bounded,
  };
}

import { kubeServiceCounts, kubeServices } from '../../lib/analyze/kube-services';
import { snapshotStats } from '../../lib/snapshot/stats';
import type { Section } from '../commands/parse-sections';
import { deniedSections } from '../commands/permission';
import { snapshotFromOutput } from '../commands/sections-snapshot';
import type { PreparedSnapshot } from '../store/prepared-snapshot';
import { snapshotPrepare } from '../store/prepared-snapshot';
import type { RawOutputs } from '../store/store';
import { TransportError } from '../transport/transport';
import type { HostOutput } from './collect-host';

/**
 * From what a host sent to what the store writes: parse the sections, build the snapshot, refuse a
 * host whose commands lacked privileges, count its rules, hash and serialise it. CPU work only, run
 * in a parser thread (parse-pool.ts); throws SectionsError or TransportError naming the host.
 */
export function hostOutputPrepare(output: HostOutput): PreparedSnapshot {
  const collected = snapshotFromOutput(output.stdout, {
    host: output.host,
    collectedAt: output.collectedAt,
    labels: output.labels,
  });
  const denied = deniedSections(collected.sections);
  if (denied.length > 0) {
    const names = denied.map((s) => s.name).join(', ');
    throw new TransportError(
      'permission',
      output.host,
      `permission denied for ${names}: collect as root or set sudo: true`,
    );
  }
  const snapshot = collected.snapshot;
  snapshot.host.kind = 'host';
  // kube-proxy's services and endpoints go with the rule counts, for growth over time.
  const stats = { ...snapshotStats(snapshot), ...kubeServiceCounts(kubeServices(snapshot)) };
  return snapshotPrepare(snapshot, rawOutputs(collected.sections), stats, output.host);
}

function rawOutputs(sections: readonly Section[]): RawOutputs {
  const raw: RawOutputs = {};
  for (const s of sections) {
    raw[`${s.id}:${s.name}`] = {
      stdout: s.stdout,
      stderr: s.stderr,
      exitCode: s.exitCode,
      missing: s.missing,
    };
  }
  return raw;
}

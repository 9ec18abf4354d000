import { kubeProxyIptablesSave } from '../../lib/generate/kube-proxy-iptables';
import type { Snapshot } from '../../lib/model/snapshot';
import { buildSnapshot } from '../../lib/snapshot/build';
import { snapshotStats } from '../../lib/snapshot/stats';
import type { HostInput, RawOutputs, StoreStats } from './store';

/**
 * Kube-proxy nodes for the store's tests and its size benchmark: the generator's rule set, plus
 * one filter rule that tells hosts (or collections) apart when wanted.
 */

export interface SampleOptions {
  services: number;
  /** Adds `-A KUBE-FORWARD -s 198.18.X.Y/32 -j ACCEPT`, X.Y from N: one rule that differs per N. */
  extraRule?: number;
}

export function sampleIptablesText({ services, extraRule }: SampleOptions): string {
  const text = kubeProxyIptablesSave({ services, endpointsPerService: 5, nodePortEvery: 10 });
  if (extraRule === undefined) return text;
  // The filter table ends with the KUBE-FORWARD rules: the extra one goes last in that chain.
  const rule = `-A KUBE-FORWARD -s 198.18.${Math.floor(extraRule / 256) % 256}.${extraRule % 256}/32 -j ACCEPT`;
  return text.replace('COMMIT\n*nat\n', `${rule}\nCOMMIT\n*nat\n`);
}

export function sampleRaw(iptablesText: string): RawOutputs {
  return {
    'iptables-save -c': { stdout: iptablesText, stderr: '', exitCode: 0, missing: false },
    'nft -j list ruleset': {
      stdout: '',
      stderr: 'bash: nft: command not found',
      exitCode: 127,
      missing: true,
    },
  };
}

export function sampleHost(name: string): HostInput {
  return { name, kind: 'host', address: '198.18.0.10', labels: { role: 'worker' } };
}

export interface Sample {
  host: HostInput;
  snapshot: Snapshot;
  raw: RawOutputs;
  stats: StoreStats;
}

export function sampleSnapshotFromText(name: string, text: string, collectedAt: Date): Sample {
  const snapshot = buildSnapshot([{ origin: 'iptables-save -c', text }], {
    host: name,
    kind: 'host',
    collectedAt: collectedAt.toISOString(),
    labels: { role: 'worker' },
  });
  return { host: sampleHost(name), snapshot, raw: sampleRaw(text), stats: snapshotStats(snapshot) };
}

export function sampleSnapshot(name: string, options: SampleOptions, collectedAt: Date): Sample {
  return sampleSnapshotFromText(name, sampleIptablesText(options), collectedAt);
}

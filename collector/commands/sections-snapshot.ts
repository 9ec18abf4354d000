import type { Snapshot } from '../../lib/model/snapshot';
import { diagnostic, emptySnapshot, finishSnapshot } from '../../lib/snapshot/build';
import { addSection, failureMessage } from './add-section';
import { hostCommand, routingCommands } from './command-list';
import { otherNamespacesDiagnostic } from './other-namespaces';
import { addIptablesDumps } from './iptables-sections';
import type { CollectOutput, Section } from './parse-sections';
import { parseSections } from './parse-sections';
import type { NetnsCandidate } from './pod-discovery';
import { hostNetns, isPodOfHost, netnsCandidates, netnsIdsByName } from './pod-discovery';
import type { RuntimeIndex } from './pod-names';
import { podIdentity, runtimeIndex } from './pod-names';
import { parseSysctls } from './sysctl-section';

export interface SectionsSnapshotOptions {
  /** The host's inventory name. */
  host: string;
  /** ISO 8601 time the collection started. */
  collectedAt: string;
  labels?: Record<string, string>;
}

export interface HostCollection {
  snapshot: Snapshot;
  /** Every section as the host sent it, pods and discovery included, for the store to keep. */
  sections: readonly Section[];
}

type Lookup = (name: string) => Section | undefined;

/** Parses the collect script's stdout and builds the host's snapshot from it. */
export function snapshotFromOutput(
  stdout: Uint8Array,
  opts: SectionsSnapshotOptions,
): HostCollection & CollectOutput {
  const output = parseSections(stdout, opts.host);
  return { ...output, ...sectionsSnapshot(output.sections, opts) };
}

/**
 * Builds the host snapshot, with a child snapshot per pod, from the collect script's sections.
 * Failed commands become diagnostics that quote their stderr; nothing here throws on host data.
 */
export function sectionsSnapshot(
  sections: readonly Section[],
  opts: SectionsSnapshotOptions,
): HostCollection {
  const byName = new Map(sections.map((s) => [s.name, s]));
  const lookup: Lookup = (name) => byName.get(name);
  const snap = emptySnapshot({
    host: opts.host,
    kind: 'host',
    collectedAt: opts.collectedAt,
    labels: opts.labels,
  });
  snap.host.hostname = oneLine(lookup('host:hostname'));
  snap.host.kernel = oneLine(lookup('host:uname-r'));
  const sysctls = lookup('host:sysctls');
  if (sysctls) snap.sysctls = parseSysctls(sysctls.stdout);

  const defaultBackend = addIptablesDumps(snap, lookup);
  for (const key of ['nft-ruleset', ...routingCommands.map((c) => c.key), 'ip-neigh', 'ipset-save']) {
    addSection(snap, lookup(`host:${key}`), hostCommand(key));
  }
  finishSnapshot(snap);
  // finishSnapshot guesses the default backend from the dumps; the collector knows it.
  if (defaultBackend) snap.host.iptablesBackend = defaultBackend;

  snap.pods = podSnapshots(snap, sections, lookup, opts);
  noteDiscoveryFailures(snap, lookup);
  return { snapshot: snap, sections };
}

function oneLine(section: Section | undefined): string | null {
  if (!section || section.exitCode !== 0) return null;
  return section.stdout.trim() || null;
}

function podSnapshots(
  host: Snapshot,
  sections: readonly Section[],
  lookup: Lookup,
  opts: SectionsSnapshotOptions,
): Snapshot[] {
  const { self, init } = hostNetns(lookup);
  const ctx = {
    hostLinks: host.interfaces,
    hostIsInit: self !== null && self === init,
    nsidByName: netnsIdsByName(lookup('host:netns-ids')?.stdout),
  };
  const runtimes = runtimeIndex(sections, lookup);
  const pods: Snapshot[] = [];
  const names = new Set<string>();
  const others: string[] = [];
  for (const candidate of netnsCandidates(sections, lookup)) {
    if (candidate.inode !== null && candidate.inode === self) continue;
    if (candidate.key === null) {
      if (candidate.skipped) others.push(describe(candidate));
      continue;
    }
    const pod = podSnapshot(candidate, lookup, opts);
    if (!isPodOfHost(pod.interfaces, candidate.name, ctx)) {
      others.push(describe(candidate));
      continue;
    }
    name(pod, candidate, runtimes, names);
    pods.push(pod);
  }
  if (others.length > 0) host.diagnostics.push(otherNamespacesDiagnostic(others));
  return pods;
}

function podSnapshot(candidate: NetnsCandidate, lookup: Lookup, opts: SectionsSnapshotOptions): Snapshot {
  const pod = emptySnapshot({
    host: candidate.name ?? `netns-${candidate.inode ?? candidate.key}`,
    kind: 'pod',
    collectedAt: opts.collectedAt,
  });
  pod.host.netns = { name: candidate.name, pid: candidate.pid };
  for (const command of routingCommands) addSection(pod, lookup(`${candidate.key}:${command.key}`), command);
  finishSnapshot(pod);
  return pod;
}

function name(pod: Snapshot, candidate: NetnsCandidate, runtimes: RuntimeIndex, taken: Set<string>): void {
  const identity = podIdentity(
    candidate,
    pod.addresses.map((a) => a.local),
    runtimes,
  );
  // Two namespaces can carry one name (a restarted pod whose old sandbox lingers): keep both apart.
  const unique = taken.has(identity.name)
    ? `${identity.name}#${candidate.inode ?? candidate.key}`
    : identity.name;
  taken.add(unique);
  pod.host.name = unique;
  pod.host.labels = identity.labels;
}

function describe(candidate: NetnsCandidate): string {
  if (candidate.name !== null) return candidate.name;
  if (candidate.pid !== null) return `pid ${candidate.pid}`;
  return `inode ${candidate.inode ?? 'unknown'}`;
}

// A runtime that is installed but does not answer hides its pods: say so.
function noteDiscoveryFailures(snap: Snapshot, lookup: Lookup): void {
  for (const [name, command] of [
    ['discover:crictl-pods', 'crictl pods -q'],
    ['discover:docker-ps', 'docker ps -q'],
  ] as const) {
    const section = lookup(name);
    if (section && !section.missing && section.exitCode !== 0) {
      snap.diagnostics.push(diagnostic('info', `pods not listed: ${failureMessage(section)}`, command));
    }
  }
}

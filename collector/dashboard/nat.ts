import { snapshotFlows, type FlowsResult } from '../../lib/analyze/flows';
import type { Snapshot } from '../../lib/model/snapshot';
import type { Subject } from '../../lib/views/host-overview';
import { natIndex, natPage, type NatIndex, type NatTraceStart } from '../../lib/views/nat-flows';
import type { AddressOwner, NatHostChoice, NatPage, NatQuery } from '../../lib/views/nat-payload';
import { examplePrefix } from './examples';
import type { PreparedView } from './prepared-snapshots';
import type { Dashboard } from './runtime';
import { latestKey, latestPrepared, subjectResolve, type ResolvedSubject } from './subjects';

/**
 * The NAT view's server side: a host's flows analysed once per prepared snapshot (`memo`), a page
 * of them per request, endpoints named from the pods and nodes of the subject's fleet (the stored
 * hosts, or the examples), and the host list of the view's picker.
 */

type Scope = 'store' | 'examples';

/** Global addresses of every pod and node of `snapshots`: pods first, they are what endpoints name. */
export function addressOwners(snapshots: readonly Snapshot[]): Map<string, AddressOwner> {
  const owners = new Map<string, AddressOwner>();
  const add = (s: Snapshot, owner: AddressOwner) => {
    for (const a of s.addresses) if (a.scope === 'global' && !owners.has(a.local)) owners.set(a.local, owner);
  };
  for (const host of snapshots)
    for (const pod of host.pods) add(pod, { kind: 'pod', name: pod.host.name, node: host.host.name });
  for (const host of snapshots) add(host, { kind: 'host', name: host.host.name, node: host.host.name });
  return owners;
}

const slot = Symbol.for('packetlens.nat-owners');
type Global = typeof globalThis & {
  [slot]?: Map<Scope, { key: string; owners: Map<string, AddressOwner> }>;
};

/** The owners of the scope's addresses, rebuilt only when one of its snapshots changes. */
function ownersOf(d: Dashboard, scope: Scope): ReadonlyMap<string, AddressOwner> {
  const cache = ((globalThis as Global)[slot] ??= new Map());
  let key: string;
  let load: () => Snapshot[];
  if (scope === 'examples') {
    key = [...d.examples.snapshots.keys()].join('\n');
    load = () => [...d.examples.snapshots.values()];
  } else {
    // One host list for all: a source per host would read the list again for each.
    const hosts = d
      .store()
      .hostsList()
      .filter((h) => h.lastSnapshotId !== null);
    key = hosts.map(latestKey).join('\n');
    load = () => hosts.flatMap((h) => latestPrepared(d, h)?.snapshot ?? []);
  }
  const known = cache.get(scope);
  if (known && known.key === key) return known.owners;
  const owners = addressOwners(load());
  cache.set(scope, { key, owners });
  return owners;
}

/**
 * Where a flow's Life of a packet starts: the pod shown, else the host's first pod (a pod's packets
 * take PREROUTING, as most service traffic does; a node without a default route cannot even send to
 * a VIP itself), else the host itself.
 */
function traceStart(r: ResolvedSubject, scope: Scope): NatTraceStart {
  const hasAddress = (s: Snapshot) => s.addresses.some((a) => a.scope === 'global');
  const pod = r.subject.pod === null ? r.prepared.snapshot.pods.find(hasAddress) : r.view.snapshot;
  const local = r.prepared.snapshot.addresses.find(
    (a) => a.family === 'ip' && a.scope === 'global' && a.ifname !== 'lo',
  );
  return {
    scope,
    from: pod ? (pod.host.netns?.name ?? pod.host.name) : r.prepared.snapshot.host.name,
    entry: pod ? 'pod' : 'host',
    localAddress: local?.local ?? null,
  };
}

/** The view's NAT flows, analysed once per prepared view for the NAT view and the Diff view's services. */
export function flowsOf(view: PreparedView): FlowsResult {
  return view.memo('flows', () => snapshotFlows(view.snapshot));
}

export function natOf(d: Dashboard, subject: Subject, q: NatQuery): NatPage {
  const r = subjectResolve(d, subject);
  const scope: Scope = r.source === 'example' ? 'examples' : 'store';
  const nat = r.view.memo<NatIndex>('nat', () => natIndex(r.view.snapshot, r.view.index, flowsOf(r.view)));
  return natPage(nat, r.view.index, q, {
    subject,
    owners: ownersOf(d, scope),
    trace: traceStart(r, scope),
    pods: r.prepared.snapshot.pods.map((p) => p.host.name),
  });
}

/** Every host the view can show: collected ones with a snapshot, imports, then the examples. */
export function natHostChoices(d: Dashboard): NatHostChoice[] {
  const stored = d
    .store()
    .hostsList()
    .filter((h) => h.lastSnapshotId !== null && !h.name.startsWith(examplePrefix))
    .map((h): NatHostChoice => ({ host: h.name, kind: h.kind === 'import' ? 'import' : 'collected' }))
    .sort(
      (a, b) => Number(a.kind === 'import') - Number(b.kind === 'import') || a.host.localeCompare(b.host),
    );
  const examples = [...d.examples.snapshots.keys()].map((host): NatHostChoice => ({ host, kind: 'example' }));
  return [...stored, ...examples];
}

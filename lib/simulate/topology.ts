import type { Interface } from '../model/iproute';
import type { Ip } from './ip';
import type { Namespace } from './namespace';
import { addressOwner } from './namespace';

/**
 * Where a packet that leaves one namespace arrives: through a veth to its peer (a pod and its
 * host), through a bridge to the pod whose address is the next hop, or over a shared segment to
 * the collected namespace that owns the next-hop address.
 */

export interface Arrival {
  ns: Namespace;
  /** The interface the packet arrives on, as netfilter names it (a bridge for a bridge port). */
  iif: string;
  /** The bridge port it came in by, when iif is a bridge. */
  physIn: string | null;
}

/**
 * The veth at the other end of `iface`: first among the namespace's parent and pods, then among
 * every collected namespace. Interface indexes are per namespace, so a match must point both ways,
 * and two candidates elsewhere are no answer.
 */
export function vethPeer(
  all: readonly Namespace[],
  ns: Namespace,
  iface: Interface,
): { ns: Namespace; iface: Interface } | null {
  if (iface.kind !== 'veth' || !iface.peer || iface.peer.ifindex === null) return null;
  const peerIndex = iface.peer.ifindex;
  const matches = (o: Namespace): { ns: Namespace; iface: Interface } | null => {
    const cand = o.interfacesByIndex.get(peerIndex);
    return cand && cand.kind === 'veth' && cand.peer?.ifindex === iface.index ? { ns: o, iface: cand } : null;
  };
  const related = (o: Namespace) =>
    ns.isPod ? o.snapshot === ns.parent : o.isPod && o.parent === ns.snapshot;
  for (const o of all)
    if (o !== ns && related(o)) {
      const m = matches(o);
      if (m) return m;
    }
  const elsewhere = all
    .filter((o) => o !== ns && !related(o))
    .map(matches)
    .filter((m) => m !== null);
  return elsewhere.length === 1 ? elsewhere[0]! : null;
}

/** Pods whose veth is a port of `bridge` in host namespace `host`, with that port. */
export function bridgePorts(
  all: readonly Namespace[],
  host: Namespace,
  bridge: string,
): { port: Interface; pod: Namespace; podIface: Interface }[] {
  const out: { port: Interface; pod: Namespace; podIface: Interface }[] = [];
  for (const port of host.interfaces.values()) {
    if (port.master !== bridge) continue;
    const peer = vethPeer(all, host, port);
    if (peer) out.push({ port, pod: peer.ns, podIface: peer.iface });
  }
  return out;
}

export function arrivalOnSegment(all: readonly Namespace[], from: Namespace, nexthop: Ip): Arrival | null {
  for (const o of all) {
    if (o === from) continue;
    const a = addressOwner(o, nexthop);
    if (a) return { ns: o, iif: a.ifname, physIn: null };
  }
  return null;
}

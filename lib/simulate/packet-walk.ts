import type { Branch } from './branch';
import { connsAdd, lastStep, stepAdd } from './branch';
import type { IpFamily } from '../model/common';
import type { Hook } from './hooks';
import type { HookEnd, HookStage } from './hook-run';
import { hookRun } from './hook-run';
import { ipEquals, ipText } from './ip';
import type { Namespace } from './namespace';
import { addressOwner, sysctl } from './namespace';
import { ctCopy, packetTuple, tupleEquals, tupleInverse } from './packet';
import type { Disposition } from './result';
import { routeInput, routeOutput } from './route-step';
import { arrivalOnSegment, bridgePorts, vethPeer } from './topology';

/**
 * The walk of a packet through namespaces: receive (PREROUTING, routing, INPUT or FORWARD +
 * POSTROUTING) or send (routing, OUTPUT, reroute, POSTROUTING), then on to the namespace the
 * packet reaches, until it is delivered, leaves what was collected, is dropped, or cannot be
 * decided.
 */

export interface WalkEnd {
  branch: Branch;
  disposition: Disposition;
  verdict: string;
  ns: Namespace;
}

export interface Walker {
  namespaces: readonly Namespace[];
  /** The base chains of a hook in a namespace (see hookStages), built once per simulator. */
  stages(ns: Namespace, family: IpFamily, hook: Hook): readonly HookStage[];
}

const maxHops = 24;

/** Conntrack on entering a namespace: a packet of a known connection, or a new one. */
function ctEnter(b: Branch, ns: Namespace): void {
  const tuple = packetTuple(b.pkt);
  const untracked = b.pkt.ct.state === 'UNTRACKED';
  const ct = ctCopy(b.pkt.ct);
  b.pkt.ct = ct;
  ct.conn = null;
  ct.dnat = false;
  ct.snat = false;
  ct.dstDecided = false;
  ct.srcDecided = false;
  ct.orig = tuple;
  ct.dir = 'original';
  for (const { ns: where, conn } of b.conns) {
    if (where !== ns.name) continue;
    const reply = tupleEquals(conn.reply, tuple);
    if (reply || tupleEquals(conn.orig, tuple)) {
      ct.state = 'ESTABLISHED';
      ct.dir = reply ? 'reply' : 'original';
      ct.conn = conn;
      ct.mark = conn.mark;
      if (reply) ct.orig = conn.orig;
      return;
    }
  }
  if (b.direction === 'original' && ct.state !== 'ESTABLISHED') ct.state = 'NEW';
  if (untracked) ct.state = 'NEW';
  ct.mark = 0;
}

/** __nf_conntrack_confirm: a new connection becomes an entry once it leaves or is delivered. */
function ctConfirm(b: Branch, ns: Namespace): void {
  const ct = b.pkt.ct;
  if (ct.conn || ct.state !== 'NEW') return;
  const conn = {
    orig: ct.orig,
    reply: tupleInverse(packetTuple(b.pkt)),
    dnat: ct.dnat,
    snat: ct.snat,
    mark: ct.mark,
  };
  connsAdd(b, ns.name, conn);
  b.pkt.ct = ctCopy(ct);
  b.pkt.ct.conn = conn;
}

function hook(w: Walker, ns: Namespace, h: Hook, b: Branch): HookEnd[] {
  return hookRun(w.stages(ns, b.pkt.family, h), h, b);
}

function ended(e: HookEnd, ns: Namespace): WalkEnd {
  const disposition: Disposition =
    e.fate === 'drop' ? 'dropped' : e.fate === 'reject' ? 'rejected' : 'undecided';
  return { branch: e.branch, disposition, verdict: e.reason, ns };
}

function deliver(b: Branch, ns: Namespace): WalkEnd {
  ctConfirm(b, ns);
  stepAdd(b, {
    kind: 'deliver',
    hook: 'INPUT',
    family: b.pkt.family,
    table: null,
    chain: null,
    rule: null,
    verdict: `delivered to a local socket in ${ns.name}`,
  });
  return { branch: b, disposition: 'local', verdict: 'ACCEPT', ns };
}

/** A packet received on `iif` (a bridge when it came in by a bridge port `physIn`). */
export function receive(
  w: Walker,
  ns: Namespace,
  b: Branch,
  iif: string,
  physIn: string | null,
  hops = 0,
): WalkEnd[] {
  b.ns = ns.name;
  b.pkt.iif = iif;
  b.pkt.oif = null;
  b.pkt.physIn = physIn;
  b.pkt.physOut = null;
  b.pkt.nexthop = null;
  ctEnter(b, ns);
  return prerouting(w, ns, b, hops);
}

/** PREROUTING, the input routing decision, then INPUT or FORWARD. */
function prerouting(w: Walker, ns: Namespace, b: Branch, hops: number): WalkEnd[] {
  const out: WalkEnd[] = [];
  for (const pre of hook(w, ns, 'PREROUTING', b)) {
    if (pre.fate !== 'accept') {
      out.push(ended(pre, ns));
      continue;
    }
    for (const r of routeInput(ns, pre.branch)) {
      if (r.kind === 'end')
        out.push({ branch: r.branch, disposition: r.disposition, verdict: r.verdict, ns });
      else if (r.kind === 'local') out.push(...input(w, ns, r.branch));
      else out.push(...forward(w, ns, r.branch, hops));
    }
  }
  return out;
}

function input(w: Walker, ns: Namespace, b: Branch): WalkEnd[] {
  return hook(w, ns, 'INPUT', b).map((e) => (e.fate === 'accept' ? deliver(e.branch, ns) : ended(e, ns)));
}

function forward(w: Walker, ns: Namespace, b: Branch, hops: number): WalkEnd[] {
  const pkt = b.pkt;
  // Routed back out of the bridge it came in by: br_netfilter hands it to the destination port.
  if (pkt.physIn !== null && pkt.oif === pkt.iif) {
    const port = bridgePorts(w.namespaces, ns, pkt.iif!).find((p) =>
      p.pod.addresses.some((a) => a.local === ipText(pkt.nexthop!)),
    );
    if (port) {
      pkt.physOut = port.port.name;
      if (port.port.name === pkt.physIn && port.port.bridgePort?.hairpin !== true) {
        stepAdd(b, {
          kind: 'drop',
          hook: 'FORWARD',
          family: pkt.family,
          table: null,
          chain: null,
          rule: null,
          verdict: 'hairpin off',
          note: `the bridge does not send a packet back out the port it came in by (${port.port.name}) unless hairpin mode is on`,
        });
        return [{ branch: b, disposition: 'dropped', verdict: `hairpin mode off on ${port.port.name}`, ns }];
      }
    }
  }
  const out: WalkEnd[] = [];
  for (const f of hook(w, ns, 'FORWARD', b)) {
    if (f.fate !== 'accept') out.push(ended(f, ns));
    else out.push(...postrouting(w, ns, f.branch, hops));
  }
  return out;
}

function postrouting(w: Walker, ns: Namespace, b: Branch, hops: number): WalkEnd[] {
  const out: WalkEnd[] = [];
  for (const p of hook(w, ns, 'POSTROUTING', b)) {
    if (p.fate !== 'accept') {
      out.push(ended(p, ns));
      continue;
    }
    ctConfirm(p.branch, ns);
    out.push(...egress(w, ns, p.branch, hops));
  }
  return out;
}

/** A packet a process in `ns` sends. */
export function send(w: Walker, ns: Namespace, b: Branch, chooseSource: boolean, hops = 0): WalkEnd[] {
  b.ns = ns.name;
  b.pkt.iif = null;
  b.pkt.physIn = null;
  b.pkt.physOut = null;
  const out: WalkEnd[] = [];
  for (const r of routeOutput(ns, b, 'OUTPUT', chooseSource)) {
    if (r.kind === 'end') {
      out.push({ branch: r.branch, disposition: r.disposition, verdict: r.verdict, ns });
      continue;
    }
    if (r.kind === 'local') continue;
    ctEnter(r.branch, ns);
    const before = { dst: r.branch.pkt.dst, mark: r.branch.pkt.mark };
    for (const o of hook(w, ns, 'OUTPUT', r.branch)) {
      if (o.fate !== 'accept') {
        out.push(ended(o, ns));
        continue;
      }
      const br = o.branch;
      // ip_route_me_harder: a changed destination or mark routes the packet again.
      if (!ipEquals(before.dst, br.pkt.dst) || before.mark !== br.pkt.mark) {
        for (const rr of routeOutput(ns, br, 'OUTPUT', false)) {
          if (rr.kind === 'end')
            out.push({ branch: rr.branch, disposition: rr.disposition, verdict: rr.verdict, ns });
          else if (rr.kind === 'forward') {
            const route = lastStep(rr.branch);
            route.note = `reroute after OUTPUT changed the packet: ${route.note ?? ''}`;
            out.push(...postrouting(w, ns, rr.branch, hops));
          }
        }
      } else out.push(...postrouting(w, ns, br, hops));
    }
  }
  return out;
}

function leave(b: Branch, ns: Namespace, why: string): WalkEnd {
  stepAdd(b, {
    kind: 'leave',
    hook: 'POSTROUTING',
    family: b.pkt.family,
    table: null,
    chain: null,
    rule: null,
    verdict: `left by ${b.pkt.oif ?? '?'}`,
    note: why,
  });
  return { branch: b, disposition: 'forwarded', verdict: `left ${ns.name} by ${b.pkt.oif ?? '?'}`, ns };
}

/** An egress the simulator cannot decide: a step saying why, and the end of the path. */
function undecidedAt(b: Branch, ns: Namespace, why: string, verdict: string): WalkEnd {
  stepAdd(b, {
    kind: 'undecided',
    hook: 'POSTROUTING',
    family: b.pkt.family,
    table: null,
    chain: null,
    rule: null,
    verdict: 'undecided',
    note: why,
  });
  return { branch: b, disposition: 'undecided', verdict, ns };
}

/** The packet leaves `ns` by its oif towards its next hop. */
function egress(w: Walker, ns: Namespace, b: Branch, hops: number): WalkEnd[] {
  const pkt = b.pkt;
  const oif = pkt.oif ?? '';
  const nexthop = pkt.nexthop!;
  if (oif === 'lo') return loopback(w, ns, b);
  if (hops >= maxHops) {
    return [undecidedAt(b, ns, `more than ${maxHops} namespaces: a routing loop?`, 'routing loop')];
  }
  const iface = ns.interfaces.get(oif);
  if (!iface) return [leave(b, ns, `${oif} is not in the snapshot of ${ns.name}`)];
  // Out of a bridge: the pod whose address is the next hop.
  if (iface.kind === 'bridge') {
    const port = bridgePorts(w.namespaces, ns, oif).find((p) => addressOwner(p.pod, nexthop));
    if (!port) return [leave(b, ns, `no collected pod on ${oif} holds ${ipText(nexthop)}`)];
    return hop(w, b, port.pod, port.podIface.name, null, `${oif} port ${port.port.name}`, hops);
  }
  const peer = vethPeer(w.namespaces, ns, iface);
  if (peer) {
    const master = peer.iface.master;
    if (master) {
      const host = peer.ns;
      // Into a bridge: routed by the host when the next hop is the host's, else bridged to another port.
      if (addressOwner(host, nexthop))
        return hop(
          w,
          b,
          host,
          master,
          peer.iface.name,
          `veth ${oif} → ${peer.iface.name} (port of ${master})`,
          hops,
        );
      const target = bridgePorts(w.namespaces, host, master).find(
        (p) => p.pod !== ns && addressOwner(p.pod, nexthop),
      );
      if (!target) {
        const why = `next hop ${ipText(nexthop)} is neither ${host.name}'s nor a collected pod's on ${master}`;
        return [undecidedAt(b, ns, why, `unknown next hop ${ipText(nexthop)}`)];
      }
      return bridged(w, b, host, master, peer.iface.name, target, hops);
    }
    return hop(
      w,
      b,
      peer.ns,
      peer.iface.name,
      null,
      `veth ${oif} → ${peer.ns.name} ${peer.iface.name}`,
      hops,
    );
  }
  const arrival = arrivalOnSegment(w.namespaces, ns, nexthop);
  if (arrival)
    return hop(
      w,
      b,
      arrival.ns,
      arrival.iif,
      null,
      `${oif} → ${arrival.ns.name} ${arrival.iif} (holds ${ipText(nexthop)})`,
      hops,
    );
  return [leave(b, ns, `next hop ${ipText(nexthop)} is not a collected namespace`)];
}

function hop(
  w: Walker,
  b: Branch,
  to: Namespace,
  iif: string,
  physIn: string | null,
  how: string,
  hops: number,
): WalkEnd[] {
  transitStep(b, to, how);
  return receive(w, to, b, iif, physIn, hops + 1);
}

function transitStep(b: Branch, to: Namespace, how: string): void {
  stepAdd(b, {
    kind: 'transit',
    hook: 'egress',
    family: b.pkt.family,
    table: null,
    chain: null,
    rule: null,
    verdict: `to ${to.name}`,
    note: how,
  });
}

/**
 * A packet bridged between two ports of a host's bridge. With br_netfilter and
 * bridge-nf-call-iptables=1 it passes PREROUTING, FORWARD and POSTROUTING with the bridge as both
 * interfaces; without, netfilter's IP hooks never see it.
 */
function bridged(
  w: Walker,
  b: Branch,
  host: Namespace,
  bridge: string,
  inPort: string,
  target: { port: { name: string }; pod: Namespace; podIface: { name: string } },
  hops: number,
): WalkEnd[] {
  const key =
    b.pkt.family === 'ip' ? 'net.bridge.bridge-nf-call-iptables' : 'net.bridge.bridge-nf-call-ip6tables';
  const onward = (br: Branch): WalkEnd[] =>
    hop(w, br, target.pod, target.podIface.name, null, `${bridge} port ${target.port.name}`, hops);
  transitStep(b, host, `veth into ${bridge} port ${inPort}`);
  b.ns = host.name;
  const value = sysctl(host, key);
  b.pkt.iif = bridge;
  b.pkt.oif = bridge;
  b.pkt.physIn = inPort;
  b.pkt.physOut = target.port.name;
  stepAdd(b, {
    kind: 'bridge',
    hook: 'bridge',
    family: b.pkt.family,
    table: null,
    chain: null,
    rule: null,
    verdict: `bridged ${inPort} → ${target.port.name}`,
    note: `${key} = ${value ?? 'not collected'}`,
  });
  if (value === null)
    return [{ branch: b, disposition: 'undecided', verdict: `${key} was not collected`, ns: host }];
  if (value !== '1') return onward(b);
  ctEnter(b, host);
  const out: WalkEnd[] = [];
  for (const pre of hook(w, host, 'PREROUTING', b)) {
    if (pre.fate !== 'accept') {
      out.push(ended(pre, host));
      continue;
    }
    for (const f of hook(w, host, 'FORWARD', pre.branch)) {
      if (f.fate !== 'accept') {
        out.push(ended(f, host));
        continue;
      }
      for (const p of hook(w, host, 'POSTROUTING', f.branch)) {
        if (p.fate !== 'accept') out.push(ended(p, host));
        else {
          ctConfirm(p.branch, host);
          out.push(...onward(p.branch));
        }
      }
    }
  }
  return out;
}

/** A packet to one of the namespace's own addresses comes back in by lo (conntrack already has it). */
function loopback(w: Walker, ns: Namespace, b: Branch): WalkEnd[] {
  b.pkt.iif = 'lo';
  b.pkt.oif = null;
  return prerouting(w, ns, b, 0);
}

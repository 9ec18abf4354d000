import type { AddressPlan, Route, VethEnd } from './address-plan';
import { netnsOk, runOk } from './lab-exec';

/**
 * Builds the lab's links, addresses and routes from the address plan. Every command names its
 * namespace (`ip -n`, `ip netns exec`): only the root end of the lab's one veth is created outside
 * a lab namespace, and nothing here touches the root namespace's routes or firewall.
 */

/** `ip` on a namespace, or on the root namespace for null. */
function ipIn(ns: string | null, args: readonly string[]): Promise<string> {
  return runOk('ip', ns === null ? args : ['-n', ns, ...args]);
}

export async function netnsCreate(ns: string): Promise<void> {
  await runOk('ip', ['netns', 'add', ns]);
  await ipIn(ns, ['link', 'set', 'lo', 'up']);
}

export async function sysctlSet(ns: string, key: string, value: string): Promise<void> {
  await netnsOk(ns, 'sysctl', ['-q', '-w', `${key}=${value}`]);
}

/** A node forwards (pods, node-3 behind node-1) and passes bridged pod traffic to iptables, as kube-proxy requires. */
export async function nodeSysctls(ns: string): Promise<void> {
  await sysctlSet(ns, 'net.ipv4.ip_forward', '1');
  await sysctlSet(ns, 'net.bridge.bridge-nf-call-iptables', '1');
}

export async function bridgeCreate(ns: string, name: string, address: string | null): Promise<void> {
  await ipIn(ns, ['link', 'add', name, 'type', 'bridge']);
  if (address) await ipIn(ns, ['addr', 'add', address, 'dev', name]);
  await ipIn(ns, ['link', 'set', name, 'up']);
}

async function vethEndConfigure(end: VethEnd): Promise<void> {
  if (end.bridge) await ipIn(end.namespace, ['link', 'set', end.name, 'master', end.bridge]);
  if (end.address) await ipIn(end.namespace, ['addr', 'add', end.address, 'dev', end.name]);
  await ipIn(end.namespace, ['link', 'set', end.name, 'up']);
}

/** Both ends are created in their namespaces at once, so no half pair ever sits in the root namespace. */
export async function vethCreate(a: VethEnd, b: VethEnd): Promise<void> {
  const peerNetns = b.namespace === null ? [] : ['netns', b.namespace];
  await ipIn(a.namespace, ['link', 'add', a.name, 'type', 'veth', 'peer', 'name', b.name, ...peerNetns]);
  await vethEndConfigure(a);
  await vethEndConfigure(b);
}

export async function routesAdd(ns: string, routes: readonly Route[]): Promise<void> {
  for (const r of routes) await ipIn(ns, ['route', 'add', r.destination, 'via', r.via]);
}

/** Namespaces, the switch, every veth and the host-gw routes between nodes. */
export async function labNetworkBuild(plan: AddressPlan): Promise<void> {
  for (const ns of [plan.switchNamespace, ...plan.nodes.map((n) => n.namespace)]) await netnsCreate(ns);
  // The switch is a plain wire: its bridge hands nothing to iptables.
  await sysctlSet(plan.switchNamespace, 'net.bridge.bridge-nf-call-iptables', '0');
  for (const b of plan.bridges) await bridgeCreate(b.namespace, b.name, null);
  for (const node of plan.nodes) await nodeSysctls(node.namespace);
  for (const v of plan.veths) await vethCreate(v.a, v.b);
  for (const node of plan.nodes) await routesAdd(node.namespace, node.routes);
}

import ipaddr from 'ipaddr.js';

/**
 * Where every lab address lives. Pure: the same plan every time, so `up` is repeatable and `down`
 * knows every name without asking the kernel.
 *
 * Layout: the root namespace gets ONE veth (pl-lab-link, 198.18.0.1/24) into a switch namespace
 * whose bridge joins node-1 and node-2 on the lab LAN. node-3 sits on a second link behind node-1
 * (198.18.1.0/24), which the root namespace has no route to, so it is reachable only through
 * node-1. Pod networks (10.244.N.0/24) exist only inside the namespaces; nodes route them to each
 * other host-gw style.
 */

/** Every namespace, root-namespace link and process of the lab carries this prefix. */
export const labPrefix = 'pl-lab-';
export const lanCidr = '198.18.0.0/24';
export const jumpLinkCidr = '198.18.1.0/24';
export const clusterCidr = '10.244.0.0/16';
export const serviceCidr = '10.96.0.0/12';

export interface VethEnd {
  /** Null for the root namespace. */
  namespace: string | null;
  name: string;
  /** With its prefix length, e.g. 198.18.0.11/24; null for a bridge port. */
  address: string | null;
  /** The bridge in the same namespace this end is a port of. */
  bridge: string | null;
}

export interface Veth {
  a: VethEnd;
  b: VethEnd;
}

export interface Bridge {
  namespace: string;
  name: string;
}

export interface Route {
  destination: string;
  via: string;
}

export interface NodeAddresses {
  /** The inventory name, e.g. node-1. */
  name: string;
  namespace: string;
  /** Where its sshd listens and where the inventory points. */
  address: string;
  /** The node to reach it through (ProxyJump), when the root namespace has no route to it. */
  jump: string | null;
  podCidr: string;
  /** The pod bridge's address, the pods' default gateway. */
  podGateway: string;
  routes: Route[];
}

export interface AddressPlan {
  /** The lab's only change to the root namespace. */
  rootLink: VethEnd;
  switchNamespace: string;
  bridges: Bridge[];
  veths: Veth[];
  nodes: NodeAddresses[];
}

/** The nth address of a network, e.g. cidrHost('198.18.0.0/24', 11) = 198.18.0.11. */
export function cidrHost(cidr: string, n: number): string {
  const [network, bits] = ipaddr.IPv4.parseCIDR(cidr);
  const size = 2 ** (32 - bits);
  if (n < 0 || n >= size) throw new Error(`${cidr} has no host number ${n}`);
  const base = ipaddr.IPv4.networkAddressFromCIDR(`${network.toString()}/${bits}`).toByteArray();
  const value = base.reduce((acc, byte) => acc * 256 + byte, 0) + n;
  const bytes = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256);
  return new ipaddr.IPv4(bytes).toString();
}

export function cidrPrefixLength(cidr: string): number {
  return ipaddr.IPv4.parseCIDR(cidr)[1];
}

/** The address without its prefix length. */
export function addressOnly(addressWithPrefix: string): string {
  return addressWithPrefix.split('/')[0]!;
}

interface LinkMember {
  node: string;
  address: string;
}

interface Link {
  cidr: string;
  members: LinkMember[];
}

/**
 * Host-gw routes for one node: another node's pod /24 goes via that node when they share a link,
 * otherwise via the node that joins both links (node-1 here); the same for links it is not on.
 */
export function nodeRoutes(
  node: string,
  links: readonly Link[],
  podCidrs: ReadonlyMap<string, string>,
): Route[] {
  const mine = links.filter((l) => l.members.some((m) => m.node === node));
  const routerTo = (target: Link): string => {
    for (const link of mine) {
      const router = link.members.find(
        (m) => m.node !== node && target.members.some((t) => t.node === m.node),
      );
      if (router) return router.address;
    }
    throw new Error(`${node} has no neighbour on a link to ${target.cidr}`);
  };
  const routes: Route[] = [];
  for (const link of links) {
    if (!mine.includes(link)) routes.push({ destination: link.cidr, via: routerTo(link) });
  }
  for (const [other, podCidr] of podCidrs) {
    if (other === node) continue;
    const direct = mine.flatMap((l) => l.members).find((m) => m.node === other);
    if (direct) {
      routes.push({ destination: podCidr, via: direct.address });
      continue;
    }
    const home = links.find((l) => l.members.some((m) => m.node === other));
    if (!home) throw new Error(`${other} is on no link`);
    routes.push({ destination: podCidr, via: routerTo(home) });
  }
  return routes;
}

export function nodeNamespace(name: string): string {
  return `${labPrefix}${name}`;
}

export function addressPlan(): AddressPlan {
  const switchNamespace = `${labPrefix}lan`;
  const lanBits = cidrPrefixLength(lanCidr);
  const jumpBits = cidrPrefixLength(jumpLinkCidr);
  const lanAddress = (n: number) => cidrHost(lanCidr, n);
  const jumpAddress = (n: number) => cidrHost(jumpLinkCidr, n);

  const lan: Link = {
    cidr: lanCidr,
    members: [
      { node: 'node-1', address: lanAddress(11) },
      { node: 'node-2', address: lanAddress(12) },
    ],
  };
  const jumpLink: Link = {
    cidr: jumpLinkCidr,
    members: [
      { node: 'node-1', address: jumpAddress(1) },
      { node: 'node-3', address: jumpAddress(13) },
    ],
  };
  const links = [lan, jumpLink];
  const sshAddress = new Map([
    ['node-1', lanAddress(11)],
    ['node-2', lanAddress(12)],
    ['node-3', jumpAddress(13)],
  ]);
  const names = [...sshAddress.keys()];
  const podCidrs = new Map(names.map((name, i) => [name, `10.244.${i + 1}.0/24`]));

  const nodes: NodeAddresses[] = names.map((name) => {
    const podCidr = podCidrs.get(name)!;
    return {
      name,
      namespace: nodeNamespace(name),
      address: sshAddress.get(name)!,
      jump: name === 'node-3' ? 'node-1' : null,
      podCidr,
      podGateway: cidrHost(podCidr, 1),
      routes: nodeRoutes(name, links, podCidrs),
    };
  });

  const rootLink: VethEnd = {
    namespace: null,
    name: `${labPrefix}link`,
    address: `${lanAddress(1)}/${lanBits}`,
    bridge: null,
  };
  const switchPort = (name: string): VethEnd => ({
    namespace: switchNamespace,
    name,
    address: null,
    bridge: 'br0',
  });
  const nodeEnd = (node: string, ifname: string, address: string, bits: number): VethEnd => ({
    namespace: nodeNamespace(node),
    name: ifname,
    address: `${address}/${bits}`,
    bridge: null,
  });
  const veths: Veth[] = [
    { a: rootLink, b: switchPort('root') },
    ...lan.members.map((m) => ({
      a: switchPort(m.node),
      b: nodeEnd(m.node, 'eth0', m.address, lanBits),
    })),
    {
      a: nodeEnd('node-1', 'eth1', jumpAddress(1), jumpBits),
      b: nodeEnd('node-3', 'eth0', jumpAddress(13), jumpBits),
    },
  ];
  return {
    rootLink,
    switchNamespace,
    bridges: [{ namespace: switchNamespace, name: 'br0' }],
    veths,
    nodes,
  };
}

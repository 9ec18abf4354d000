import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { addressOnly, addressPlan, cidrHost, labPrefix, nodeRoutes } from './address-plan';

const inCidr = (address: string, cidr: string) =>
  ipaddr.IPv4.parse(addressOnly(address)).match(ipaddr.IPv4.parseCIDR(cidr));

describe('cidrHost', () => {
  it('counts hosts from the network address', () => {
    expect(cidrHost('198.18.0.0/24', 11)).toBe('198.18.0.11');
    expect(cidrHost('10.244.3.0/24', 1)).toBe('10.244.3.1');
    expect(cidrHost('198.18.0.0/15', 256 + 13)).toBe('198.18.1.13');
  });

  it('refuses a host number outside the network', () => {
    expect(() => cidrHost('198.18.0.0/24', 256)).toThrow('198.18.0.0/24 has no host number 256');
  });
});

describe('nodeRoutes', () => {
  const links = [
    {
      cidr: '198.18.0.0/24',
      members: [
        { node: 'a', address: '198.18.0.1' },
        { node: 'b', address: '198.18.0.2' },
      ],
    },
    {
      cidr: '198.18.1.0/24',
      members: [
        { node: 'a', address: '198.18.1.1' },
        { node: 'c', address: '198.18.1.3' },
      ],
    },
  ];
  const pods = new Map([
    ['a', '10.244.1.0/24'],
    ['b', '10.244.2.0/24'],
    ['c', '10.244.3.0/24'],
  ]);

  it('routes a neighbour’s pods straight to it and the rest through the node that joins the links', () => {
    expect(nodeRoutes('a', links, pods)).toEqual([
      { destination: '10.244.2.0/24', via: '198.18.0.2' },
      { destination: '10.244.3.0/24', via: '198.18.1.3' },
    ]);
    expect(nodeRoutes('c', links, pods)).toEqual([
      { destination: '198.18.0.0/24', via: '198.18.1.1' },
      { destination: '10.244.1.0/24', via: '198.18.1.1' },
      { destination: '10.244.2.0/24', via: '198.18.1.1' },
    ]);
  });

  it('says which node has no way to a link', () => {
    const island = [...links, { cidr: '198.18.2.0/24', members: [{ node: 'd', address: '198.18.2.4' }] }];
    expect(() => nodeRoutes('b', island, new Map())).toThrow('b has no neighbour on a link to 198.18.2.0/24');
  });
});

describe('addressPlan', () => {
  const plan = addressPlan();

  it('changes the root namespace by one veth only, addressed in 198.18.0.0/15', () => {
    const rootEnds = plan.veths.flatMap((v) => [v.a, v.b]).filter((e) => e.namespace === null);
    expect(rootEnds).toEqual([plan.rootLink]);
    expect(plan.rootLink).toMatchObject({ name: 'pl-lab-link', address: '198.18.0.1/24' });
    expect(inCidr(plan.rootLink.address!, '198.18.0.0/15')).toBe(true);
  });

  it('puts node-3 behind node-1, out of reach of the root link', () => {
    const node3 = plan.nodes.find((n) => n.name === 'node-3')!;
    expect(node3.jump).toBe('node-1');
    expect(inCidr(node3.address, '198.18.0.0/24')).toBe(false);
    for (const n of plan.nodes.filter((n) => n.jump === null)) {
      expect(inCidr(n.address, '198.18.0.0/24')).toBe(true);
    }
  });

  it('keeps every lab address in 198.18.0.0/15 and every pod /24 in 10.244.0.0/16, one per node', () => {
    for (const end of plan.veths.flatMap((v) => [v.a, v.b])) {
      if (end.address) expect(inCidr(end.address, '198.18.0.0/15')).toBe(true);
    }
    expect(plan.nodes.map((n) => n.podCidr)).toEqual(['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24']);
    expect(plan.nodes.map((n) => n.podGateway)).toEqual(['10.244.1.1', '10.244.2.1', '10.244.3.1']);
  });

  it('routes every other node’s pod /24 on every node (host-gw)', () => {
    for (const node of plan.nodes) {
      const routed = node.routes.map((r) => r.destination);
      for (const other of plan.nodes.filter((o) => o !== node)) expect(routed).toContain(other.podCidr);
    }
  });

  it('names namespaces with the lab prefix and interfaces within the kernel’s 15 characters', () => {
    const ends = plan.veths.flatMap((v) => [v.a, v.b]);
    for (const ns of [plan.switchNamespace, ...plan.nodes.map((n) => n.namespace)]) {
      expect(ns.startsWith(labPrefix)).toBe(true);
    }
    for (const end of ends) expect(end.name.length).toBeLessThanOrEqual(15);
  });
});

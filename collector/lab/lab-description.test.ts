import { describe, expect, it } from 'vitest';
import { addressPlan } from './address-plan';
import { LabDescription, labDescriptionBuild, servicesResolve } from './lab-description';
import type { PodBuilt } from './lab-description';
import { labPaths } from './lab-paths';
import { workloadPlan } from './workload-plan';

const addresses = addressPlan();
const workload = workloadPlan(addresses.nodes.map((n) => n.name));
const pods: PodBuilt[] = workload.pods.map((plan, i) => ({
  plan,
  ip: `10.244.${Math.floor(i / 2) + 1}.${(i % 2) + 2}`,
  interface: 'eth0',
  hostVeth: `veth${i}`,
  cniResult: { cniVersion: '1.0.0', interfaces: [], ips: [] },
}));

describe('servicesResolve', () => {
  it('makes the pods of a service’s app its endpoints, each with its node', () => {
    const [web, api] = servicesResolve(workload, pods);
    expect(web).toMatchObject({
      name: 'default/web:http',
      clusterIp: '10.96.0.10',
      port: 80,
      nodePort: 30080,
    });
    expect(web!.endpoints).toEqual([
      { pod: 'default/web-0', ip: '10.244.1.2', port: 80, node: 'node-1' },
      { pod: 'default/web-1', ip: '10.244.2.2', port: 80, node: 'node-2' },
      { pod: 'default/web-2', ip: '10.244.3.2', port: 80, node: 'node-3' },
    ]);
    expect(api!.endpoints.map((e) => `${e.ip}:${e.port}`)).toEqual([
      '10.244.1.3:8080',
      '10.244.2.3:8080',
      '10.244.3.3:8080',
    ]);
  });
});

describe('labDescriptionBuild', () => {
  it('matches the lab.json schema and says which nodes hold legacy rules and which is behind a jump', () => {
    const lab = LabDescription.parse(labDescriptionBuild(labPaths('/lab'), addresses, workload, pods));
    expect(lab.files.inventory).toBe('/lab/packetlens.yaml');
    expect(lab.nodes.map((n) => `${n.name} ${n.iptablesBackends.join('+')} ${n.jump ?? '-'}`)).toEqual([
      'node-1 nft -',
      'node-2 nft+legacy -',
      'node-3 nft node-1',
    ]);
    expect(lab.containers).toEqual([
      expect.objectContaining({ name: 'whoami', node: 'node-2', ip: '172.17.0.2', bridge: 'docker0' }),
    ]);
  });
});

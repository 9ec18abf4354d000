import { describe, expect, it } from 'vitest';
import { workloadPlan } from './workload-plan';

describe('workloadPlan', () => {
  const plan = workloadPlan(['node-1', 'node-2', 'node-3']);

  it('puts two pods on each node, in namespaces named after the node', () => {
    expect(plan.pods.map((p) => `${p.node} ${p.name} ${p.namespace}`)).toEqual([
      'node-1 default/web-0 pl-lab-pod-node-1-1',
      'node-1 default/api-0 pl-lab-pod-node-1-2',
      'node-2 default/web-1 pl-lab-pod-node-2-1',
      'node-2 default/api-1 pl-lab-pod-node-2-2',
      'node-3 default/web-2 pl-lab-pod-node-3-1',
      'node-3 default/api-2 pl-lab-pod-node-3-2',
    ]);
  });

  it('gives each sandbox a containerd-shaped id and one pod a host port', () => {
    for (const p of plan.pods) expect(p.containerId).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(plan.pods.map((p) => p.containerId)).size).toBe(plan.pods.length);
    expect(plan.pods.filter((p) => p.hostPorts.length > 0).map((p) => p.name)).toEqual(['default/web-0']);
  });

  it('runs kube-proxy in iptables mode on node-1 and node-2, nftables mode on node-3', () => {
    expect(plan.roles.map((r) => `${r.node}:${r.kubeProxyMode}`)).toEqual([
      'node-1:iptables',
      'node-2:iptables',
      'node-3:nftables',
    ]);
    expect(plan.roles.filter((r) => r.docker || r.legacyRules).map((r) => r.node)).toEqual(['node-2']);
    expect(plan.docker.hostVeth).toMatch(/^veth[0-9a-f]{7}$/);
  });
});

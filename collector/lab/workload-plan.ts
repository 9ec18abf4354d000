import { createHash } from 'node:crypto';
import { labPrefix } from './address-plan';

/**
 * What runs on the lab's nodes: pods, services and each node's packet-filter flavour. Pure apart
 * from hashing, so `up` always builds the same workload and tests can read it without the kernel.
 */

export type KubeProxyMode = 'iptables' | 'nftables';

export interface HostPort {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface PodPlan {
  /** namespace/name as Kubernetes shows it, e.g. default/web-0. */
  name: string;
  /** Its network namespace, e.g. pl-lab-pod-node-1-1. */
  namespace: string;
  node: string;
  /** The label services select on. */
  app: string;
  /** 64 hex digits, the shape containerd gives a sandbox (CNI_CONTAINERID). */
  containerId: string;
  hostPorts: HostPort[];
}

export interface ServicePlan {
  /** kube-proxy's ServicePortName, namespace/name:portName. */
  name: string;
  clusterIp: string;
  port: number;
  targetPort: number;
  protocol: 'tcp' | 'udp';
  nodePort: number | null;
  /** Pods with this app are its endpoints. */
  app: string;
}

export interface NodeRole {
  node: string;
  /** The inventory label. */
  role: 'control-plane' | 'worker';
  kubeProxyMode: KubeProxyMode;
  /** A Docker-style docker0 bridge with one published container port. */
  docker: boolean;
  /** Rules in iptables-legacy beside the nf_tables ones. */
  legacyRules: boolean;
}

export interface DockerContainerPlan {
  /** Docker's container name. */
  name: string;
  node: string;
  namespace: string;
  /** docker0's address with its prefix. */
  bridgeAddress: string;
  subnet: string;
  address: string;
  /** The host-side veth, named the way Docker names them (veth + 7 hex). */
  hostVeth: string;
  publishedPort: HostPort;
}

export interface WorkloadPlan {
  roles: NodeRole[];
  pods: PodPlan[];
  services: ServicePlan[];
  docker: DockerContainerPlan;
  /** The CNI network name (the conflist's `name`). */
  cniNetwork: string;
}

function hexId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

export function podNamespace(node: string, n: number): string {
  return `${labPrefix}pod-${node}-${n}`;
}

export function workloadPlan(nodes: readonly string[]): WorkloadPlan {
  const pods: PodPlan[] = nodes.flatMap((node, i) =>
    (['web', 'api'] as const).map((app, j) => {
      const namespace = podNamespace(node, j + 1);
      return {
        name: `default/${app}-${i}`,
        namespace,
        node,
        app,
        containerId: hexId(namespace),
        // One pod publishes a host port through the portmap plugin.
        hostPorts:
          i === 0 && app === 'web' ? [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' as const }] : [],
      };
    }),
  );
  const containerNamespace = `${labPrefix}ctr-node-2-1`;
  return {
    roles: [
      { node: 'node-1', role: 'control-plane', kubeProxyMode: 'iptables', docker: false, legacyRules: false },
      { node: 'node-2', role: 'worker', kubeProxyMode: 'iptables', docker: true, legacyRules: true },
      { node: 'node-3', role: 'worker', kubeProxyMode: 'nftables', docker: false, legacyRules: false },
    ],
    pods,
    services: [
      {
        name: 'default/web:http',
        clusterIp: '10.96.0.10',
        port: 80,
        targetPort: 80,
        protocol: 'tcp',
        nodePort: 30080,
        app: 'web',
      },
      {
        name: 'default/api:http',
        clusterIp: '10.96.0.20',
        port: 8080,
        targetPort: 8080,
        protocol: 'tcp',
        nodePort: null,
        app: 'api',
      },
    ],
    docker: {
      name: 'whoami',
      node: 'node-2',
      namespace: containerNamespace,
      bridgeAddress: '172.17.0.1/16',
      subnet: '172.17.0.0/16',
      address: '172.17.0.2',
      hostVeth: `veth${hexId(containerNamespace).slice(0, 7)}`,
      publishedPort: { hostPort: 8081, containerPort: 80, protocol: 'tcp' },
    },
    cniNetwork: 'lab',
  };
}

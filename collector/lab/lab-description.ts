import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { KubeProxyService } from '../../lib/generate/kube-proxy-lab';
import type { AddressPlan } from './address-plan';
import { clusterCidr, jumpLinkCidr, lanCidr, serviceCidr } from './address-plan';
import { CniRuntimeArgs } from './cni-config';
import { CniResult } from './cni-result';
import type { LabPaths } from './lab-paths';
import type { PodPlan, WorkloadPlan } from './workload-plan';

/**
 * data/lab/lab.json: what a finished lab holds, for tests and the collector to compare what they
 * collect with what was built. Written last by `up`, so its presence means the lab is complete.
 */

const HostPorts = CniRuntimeArgs.shape.portMappings;

export const LabNode = z.object({
  name: z.string(),
  namespace: z.string(),
  /** What `hostname` prints over SSH (each sshd runs in its own UTS namespace). */
  hostname: z.string(),
  address: z.string(),
  sshPort: z.number().int(),
  /** Inventory name of the node to ProxyJump through; null when reachable from this machine. */
  jump: z.string().nullable(),
  role: z.string(),
  podCidr: z.string(),
  podGateway: z.string(),
  routes: z.array(z.object({ destination: z.string(), via: z.string() })),
  kubeProxyMode: z.enum(['iptables', 'nftables']),
  /** The iptables backends holding rules on the node. */
  iptablesBackends: z.array(z.enum(['nft', 'legacy'])),
  docker: z.boolean(),
});
export type LabNode = z.infer<typeof LabNode>;

export const LabPod = z.object({
  /** namespace/name, e.g. default/web-0. */
  name: z.string(),
  /** The pod's network namespace. */
  namespace: z.string(),
  node: z.string(),
  ip: z.string(),
  /** The interface inside the pod. */
  interface: z.string(),
  /** Its veth peer on the node, a port of cni0. */
  hostVeth: z.string(),
  containerId: z.string(),
  hostPorts: HostPorts,
  /** The CNI result of ADD (the last plugin's output, as a runtime caches it). */
  cniResult: CniResult,
});
export type LabPod = z.infer<typeof LabPod>;

export const LabService = z.object({
  /** kube-proxy's ServicePortName, namespace/name:portName. */
  name: z.string(),
  clusterIp: z.string(),
  port: z.number().int(),
  protocol: z.enum(['tcp', 'udp']),
  nodePort: z.number().int().nullable(),
  endpoints: z.array(z.object({ pod: z.string(), ip: z.string(), port: z.number().int(), node: z.string() })),
});
export type LabService = z.infer<typeof LabService>;

export const LabContainer = z.object({
  /** Docker's container name. */
  name: z.string(),
  node: z.string(),
  namespace: z.string(),
  ip: z.string(),
  bridge: z.string(),
  hostVeth: z.string(),
  publishedPorts: HostPorts,
});

export const LabDescription = z.object({
  version: z.literal(1),
  files: z.object({
    dir: z.string(),
    inventory: z.string(),
    knownHosts: z.string(),
    identityFile: z.string(),
    sshConfig: z.string(),
  }),
  network: z.object({
    /** The lab's only link in the root namespace. */
    rootLink: z.object({ name: z.string(), address: z.string() }),
    /** The namespace whose bridge is the lab LAN between the root namespace, node-1 and node-2. */
    switchNamespace: z.string(),
    lanCidr: z.string(),
    jumpLinkCidr: z.string(),
    clusterCidr: z.string(),
    serviceCidr: z.string(),
  }),
  nodes: z.array(LabNode),
  pods: z.array(LabPod),
  services: z.array(LabService),
  containers: z.array(LabContainer),
});
export type LabDescription = z.infer<typeof LabDescription>;

export interface PodBuilt {
  plan: PodPlan;
  ip: string;
  interface: string;
  hostVeth: string;
  cniResult: CniResult;
}

/** Each service's endpoints: the pods with its app, in pod order, on the service's target port. */
export function servicesResolve(workload: WorkloadPlan, pods: readonly PodBuilt[]): LabService[] {
  return workload.services.map((s) => ({
    name: s.name,
    clusterIp: s.clusterIp,
    port: s.port,
    protocol: s.protocol,
    nodePort: s.nodePort,
    endpoints: pods
      .filter((p) => p.plan.app === s.app)
      .map((p) => ({ pod: p.plan.name, ip: p.ip, port: s.targetPort, node: p.plan.node })),
  }));
}

/** The services as the kube-proxy rule generator takes them. */
export function kubeProxyServices(services: readonly LabService[]): KubeProxyService[] {
  return services.map((s) => ({
    name: s.name,
    clusterIp: s.clusterIp,
    port: s.port,
    protocol: s.protocol,
    nodePort: s.nodePort,
    endpoints: s.endpoints.map((e) => ({ ip: e.ip, port: e.port })),
  }));
}

export function labDescriptionBuild(
  paths: LabPaths,
  addresses: AddressPlan,
  workload: WorkloadPlan,
  pods: readonly PodBuilt[],
): LabDescription {
  return {
    version: 1,
    files: {
      dir: paths.dir,
      inventory: paths.inventory,
      knownHosts: paths.knownHosts,
      identityFile: paths.identityFile,
      sshConfig: paths.sshConfig,
    },
    network: {
      rootLink: { name: addresses.rootLink.name, address: addresses.rootLink.address ?? '' },
      switchNamespace: addresses.switchNamespace,
      lanCidr,
      jumpLinkCidr,
      clusterCidr,
      serviceCidr,
    },
    nodes: addresses.nodes.map((n) => {
      const role = workload.roles.find((r) => r.node === n.name);
      if (!role) throw new Error(`no role planned for ${n.name}`);
      return {
        name: n.name,
        namespace: n.namespace,
        hostname: n.name,
        address: n.address,
        sshPort: 22,
        jump: n.jump,
        role: role.role,
        podCidr: n.podCidr,
        podGateway: n.podGateway,
        routes: n.routes,
        kubeProxyMode: role.kubeProxyMode,
        iptablesBackends: role.legacyRules ? ['nft', 'legacy'] : ['nft'],
        docker: role.docker,
      };
    }),
    pods: pods.map((p) => ({
      name: p.plan.name,
      namespace: p.plan.namespace,
      node: p.plan.node,
      ip: p.ip,
      interface: p.interface,
      hostVeth: p.hostVeth,
      containerId: p.plan.containerId,
      hostPorts: p.plan.hostPorts,
      cniResult: p.cniResult,
    })),
    services: servicesResolve(workload, pods),
    containers: [
      {
        name: workload.docker.name,
        node: workload.docker.node,
        namespace: workload.docker.namespace,
        ip: workload.docker.address,
        bridge: 'docker0',
        hostVeth: workload.docker.hostVeth,
        publishedPorts: [workload.docker.publishedPort],
      },
    ],
  };
}

/** lab.json, or null when the lab was never finished (or the file does not match the schema). */
export function labDescriptionRead(file: string): LabDescription | null {
  try {
    const parsed = LabDescription.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

import type { LabDescription, LabService } from '../lab/lab-description';
import type { Probe } from '../../lib/kernel-trace/probe';
import type { ProbeListener } from './probe-listen';
import { probeListen } from './probe-listen';
import type { TracedProbe, TraceProbeOptions } from './trace-probe';
import { traceProbe } from './trace-probe';
import { traceSweep } from './trace-table';

/**
 * Traces a probe from a lab pod to a service across the lab's nodes: tracing on in every node, pod
 * and container namespace of the lab (the LAN switch has no IP hooks: its bridge hands nothing to
 * iptables), listeners on the service's endpoints for the time of the probe, then everything
 * removed again, so the lab's rulesets stay exactly as the lab built them.
 */

export interface LabServiceProbe {
  /** Pod name as the lab lists it, e.g. `default/web-0`. */
  fromPod: string;
  /** kube-proxy's ServicePortName, e.g. `default/api:http`. */
  service: string;
  /** Source port; random in 61000-64999 by default, so no conntrack entry of an earlier probe is reused. */
  sport?: number;
}

export interface LabEndpoint {
  pod: string;
  namespace: string;
  node: string;
  ip: string;
  port: number;
}

export interface LabTracedProbe extends TracedProbe {
  service: LabService;
  /** The endpoint the kernel delivered the probe to; null when it was not delivered to one. */
  endpoint: LabEndpoint | null;
  /** The namespaces traced. */
  namespaces: readonly string[];
}

/** Node, pod and container namespaces of the lab. */
export function labTraceNamespaces(lab: LabDescription): string[] {
  return [
    ...lab.nodes.map((n) => n.namespace),
    ...lab.pods.map((p) => p.namespace),
    ...lab.containers.map((c) => c.namespace),
  ];
}

function labEndpoints(lab: LabDescription, service: LabService): LabEndpoint[] {
  return service.endpoints.map((ep) => {
    const pod = lab.pods.find((p) => p.name === ep.pod);
    if (!pod) throw new Error(`lab service ${service.name}: endpoint pod ${ep.pod} is not in the lab`);
    return { pod: ep.pod, namespace: pod.namespace, node: ep.node, ip: ep.ip, port: ep.port };
  });
}

export async function labServiceTrace(
  lab: LabDescription,
  target: LabServiceProbe,
  opts: TraceProbeOptions = {},
): Promise<LabTracedProbe> {
  const pod = lab.pods.find((p) => p.name === target.fromPod);
  if (!pod)
    throw new Error(`no pod ${target.fromPod} in the lab (pods: ${lab.pods.map((p) => p.name).join(', ')})`);
  const service = lab.services.find((s) => s.name === target.service);
  if (!service) {
    throw new Error(
      `no service ${target.service} in the lab (services: ${lab.services.map((s) => s.name).join(', ')})`,
    );
  }
  const namespaces = labTraceNamespaces(lab);
  for (const ns of namespaces) await traceSweep(ns);
  const endpoints = labEndpoints(lab, service);
  const listeners: ProbeListener[] = [];
  try {
    for (const ep of endpoints) {
      listeners.push(await probeListen(ep.namespace, ep.pod, { [service.protocol]: [ep.port] }));
    }
    const probe: Probe = {
      from: pod.namespace,
      proto: service.protocol,
      src: null,
      sport: target.sport ?? 61000 + Math.floor(Math.random() * 4000),
      dst: service.clusterIp,
      dport: service.port,
    };
    // A NodePort or masqueraded path may rewrite the source port: the endpoints' port still selects it.
    const endpointPorts = [...new Set(endpoints.map((ep) => ep.port))];
    const traced = await traceProbe(namespaces, probe, {
      ...opts,
      extraSelectors: [
        ...(opts.extraSelectors ?? []),
        ...endpointPorts.map((port) => ({ proto: service.protocol, port })),
      ],
    });
    const final = traced.trace.forward.final;
    const endpoint =
      endpoints.find(
        (ep) => final !== null && ep.namespace === final.netns && ep.ip === final.packet.daddr,
      ) ?? null;
    return { ...traced, service, endpoint, namespaces };
  } finally {
    await Promise.all(listeners.map((l) => l.stop()));
  }
}

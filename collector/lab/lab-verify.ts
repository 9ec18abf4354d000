import type { LabDescription, LabPod } from './lab-description';
import { LabError, runOk } from './lab-exec';
import type { LabPaths } from './lab-paths';
import type { TcpListener } from './tcp-probe';
import { tcpListen, tcpProbe } from './tcp-probe';

/**
 * The checks that end `up`: every node answers SSH with the lab key against the lab's known_hosts
 * (node-3 only through node-1), and the rules the lab loaded move real TCP between its namespaces:
 * pod to pod across nodes, ClusterIP in iptables and nftables mode, NodePort, hostPort, and
 * Docker's published port.
 */

/** `ssh` with only the lab's key and known_hosts, as the collector will connect. */
/** ssh as the collector logs in: the lab key and known_hosts only, strict host keys, no prompts. */
export function sshArgs(paths: LabPaths, target: string, command: string): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    paths.identityFile,
    '-o',
    `UserKnownHostsFile=${paths.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=5',
    `root@${target}`,
    command,
  ];
}

async function sshChecks(paths: LabPaths, lab: LabDescription): Promise<string[]> {
  const lines: string[] = [];
  for (const node of lab.nodes) {
    // -J hands -F to the jump ssh, so the jump uses the lab's ssh_config (same key, same known_hosts).
    const jump = node.jump ? lab.nodes.find((n) => n.name === node.jump) : undefined;
    const args = jump
      ? ['-F', paths.sshConfig, '-J', `root@${jump.address}`, `root@${node.address}`, 'hostname']
      : sshArgs(paths, node.address, 'hostname');
    const hostname = (await runOk('ssh', args)).trim();
    if (hostname !== node.hostname) {
      throw new LabError(`ssh to ${node.name} answered hostname '${hostname}', expected '${node.hostname}'`);
    }
    lines.push(`ssh root@${node.address}${jump ? ` via ${jump.name}` : ''}: ok`);
  }
  return lines;
}

function podNamed(lab: LabDescription, name: string): LabPod {
  const pod = lab.pods.find((p) => p.name === name);
  if (!pod) throw new LabError(`lab.json has no pod ${name}`);
  return pod;
}

interface Probe {
  what: string;
  from: string;
  host: string;
  port: number;
  /** Any of these answers passes (a service may pick any endpoint). */
  expect: string[];
}

function probes(lab: LabDescription): Probe[] {
  const web = lab.services.find((s) => s.name === 'default/web:http');
  const api = lab.services.find((s) => s.name === 'default/api:http');
  const container = lab.containers[0];
  if (!web || !api || !container)
    throw new LabError('lab.json lacks default/web:http, default/api:http or the container');
  const node = (name: string) => lab.nodes.find((n) => n.name === name)!;
  const pod = (name: string) => podNamed(lab, name);
  const web0 = pod('default/web-0');
  const hostPort = web0.hostPorts[0]!;
  return [
    {
      what: 'pod to pod, node-1 → node-2',
      from: web0.namespace,
      host: pod('default/web-1').ip,
      port: 80,
      expect: ['default/web-1'],
    },
    {
      what: 'pod to pod, node-2 → node-3 (through node-1)',
      from: pod('default/api-1').namespace,
      host: pod('default/web-2').ip,
      port: 80,
      expect: ['default/web-2'],
    },
    {
      what: 'ClusterIP, iptables mode (node-1)',
      from: pod('default/api-0').namespace,
      host: web.clusterIp,
      port: web.port,
      expect: web.endpoints.map((e) => e.pod),
    },
    {
      what: 'ClusterIP, nftables mode (node-3)',
      from: pod('default/web-2').namespace,
      host: api.clusterIp,
      port: api.port,
      expect: api.endpoints.map((e) => e.pod),
    },
    {
      what: `NodePort ${web.nodePort} on node-1`,
      from: node('node-2').namespace,
      host: node('node-1').address,
      port: web.nodePort ?? 0,
      expect: web.endpoints.map((e) => e.pod),
    },
    {
      what: `hostPort ${hostPort.hostPort} on node-1 (portmap)`,
      from: node('node-2').namespace,
      host: node('node-1').address,
      port: hostPort.hostPort,
      expect: [web0.name],
    },
    {
      what: `Docker published port on ${container.node}`,
      from: node('node-1').namespace,
      host: node(container.node).address,
      port: container.publishedPorts[0]!.hostPort,
      expect: [container.name],
    },
  ];
}

async function trafficChecks(lab: LabDescription): Promise<string[]> {
  const listeners: TcpListener[] = [];
  try {
    for (const pod of lab.pods) {
      const ports = lab.services
        .filter((s) => s.endpoints.some((e) => e.pod === pod.name))
        .map((s) => s.endpoints.find((e) => e.pod === pod.name)!.port);
      listeners.push(await tcpListen(pod.namespace, pod.name, [...new Set(ports)]));
    }
    for (const c of lab.containers) {
      listeners.push(
        await tcpListen(
          c.namespace,
          c.name,
          c.publishedPorts.map((p) => p.containerPort),
        ),
      );
    }
    const lines: string[] = [];
    for (const p of probes(lab)) {
      const answer = await tcpProbe(p.from, p.host, p.port);
      if (!p.expect.includes(answer)) {
        throw new LabError(
          `${p.what}: ${p.host}:${p.port} answered '${answer}', expected one of ${p.expect.join(', ')}`,
        );
      }
      lines.push(`${p.what}: ${p.host}:${p.port} → ${answer}`);
    }
    return lines;
  } finally {
    for (const l of listeners) l.stop();
  }
}

/** Runs every check; returns one line per passed check, throws on the first failure. */
export async function labVerify(paths: LabPaths, lab: LabDescription): Promise<string[]> {
  return [...(await sshChecks(paths, lab)), ...(await trafficChecks(lab))];
}

import { labDescriptionRead } from './lab-description';
import type { LabPaths } from './lab-paths';
import { labStateRead } from './lab-state';
import { labNamespaces, labRootLinks } from './leftovers';
import { sshdRunningPid } from './sshd';

/** What runs now: the lab's description checked against the kernel's namespaces and live sshd pids. */

export interface LabStatus {
  /** up: complete and every sshd running; down: nothing of the lab exists; otherwise degraded. */
  state: 'up' | 'degraded' | 'down';
  nodes: {
    name: string;
    namespace: string;
    address: string;
    jump: string | null;
    sshdPid: number | null;
    namespacePresent: boolean;
  }[];
  pods: { name: string; namespace: string; node: string; ip: string; namespacePresent: boolean }[];
  services: { name: string; clusterIp: string; nodePort: number | null; endpoints: string[] }[];
  /** Lab namespaces and root-namespace links that exist but that no finished lab lists. */
  strays: string[];
  inventory: string | null;
}

export async function labStatus(paths: LabPaths): Promise<LabStatus> {
  const lab = labDescriptionRead(paths.description);
  const complete = labStateRead(paths.state)?.complete === true && lab !== null;
  const namespaces = new Set(await labNamespaces());
  const links = await labRootLinks();
  const nodes = (lab?.nodes ?? []).map((n) => ({
    name: n.name,
    namespace: n.namespace,
    address: n.address,
    jump: n.jump,
    sshdPid: sshdRunningPid(paths.sshdPid(n.name), paths.sshdConfig(n.name)),
    namespacePresent: namespaces.has(n.namespace),
  }));
  const pods = (lab?.pods ?? []).map((p) => ({
    name: p.name,
    namespace: p.namespace,
    node: p.node,
    ip: p.ip,
    namespacePresent: namespaces.has(p.namespace),
  }));
  const listed = new Set([
    ...(lab ? [lab.network.switchNamespace, lab.network.rootLink.name] : []),
    ...nodes.map((n) => n.namespace),
    ...pods.map((p) => p.namespace),
    ...(lab?.containers ?? []).map((c) => c.namespace),
  ]);
  const strays = [...namespaces, ...links].filter((name) => !listed.has(name));
  const healthy =
    complete &&
    strays.length === 0 &&
    nodes.every((n) => n.namespacePresent && n.sshdPid !== null) &&
    pods.every((p) => p.namespacePresent) &&
    links.includes(lab.network.rootLink.name);
  const nothing = lab === null && namespaces.size === 0 && links.length === 0;
  return {
    state: healthy ? 'up' : nothing ? 'down' : 'degraded',
    nodes,
    pods,
    services: (lab?.services ?? []).map((s) => ({
      name: s.name,
      clusterIp: `${s.clusterIp}:${s.port}`,
      nodePort: s.nodePort,
      endpoints: s.endpoints.map((e) => `${e.ip}:${e.port} (${e.pod} on ${e.node})`),
    })),
    strays,
    inventory: lab ? lab.files.inventory : null,
  };
}

export function labStatusText(s: LabStatus): string {
  const out = [`lab: ${s.state}`];
  if (s.nodes.length > 0) {
    out.push('nodes:');
    for (const n of s.nodes) {
      const sshd = n.sshdPid === null ? 'sshd not running' : `sshd pid ${n.sshdPid}`;
      const via = n.jump ? ` via ${n.jump}` : '';
      const missing = n.namespacePresent ? '' : ' (namespace missing)';
      out.push(`  ${n.name.padEnd(7)} ${n.address.padEnd(13)} ${sshd}${via}  ${n.namespace}${missing}`);
    }
  }
  if (s.pods.length > 0) {
    out.push('pods:');
    for (const p of s.pods) {
      const missing = p.namespacePresent ? '' : ' (namespace missing)';
      out.push(`  ${p.name.padEnd(16)} ${p.ip.padEnd(12)} ${p.node}  ${p.namespace}${missing}`);
    }
  }
  if (s.services.length > 0) {
    out.push('services:');
    for (const v of s.services) {
      const nodePort = v.nodePort === null ? '' : ` NodePort ${v.nodePort}`;
      out.push(`  ${v.name} ${v.clusterIp}${nodePort} → ${v.endpoints.join(', ')}`);
    }
  }
  if (s.strays.length > 0)
    out.push(`not part of a finished lab: ${s.strays.join(', ')} (npm run lab -- down removes them)`);
  if (s.inventory) out.push(`inventory: ${s.inventory}`);
  return out.join('\n');
}

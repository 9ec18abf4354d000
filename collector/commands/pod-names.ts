import { z } from 'zod';
import type { NetnsCandidate } from './pod-discovery';
import type { Section } from './parse-sections';

/**
 * Names pods from what the container runtimes and CNI said: crictl labels first, then the pod
 * name a CNI result was given, then the docker container name, then the netns name.
 */

const podNameLabel = 'io.kubernetes.pod.name';
const podNamespaceLabel = 'io.kubernetes.pod.namespace';

const CrictlInspect = z.object({
  status: z
    .object({
      id: z.string().optional(),
      metadata: z.object({ name: z.string().optional(), namespace: z.string().optional() }).optional(),
      labels: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

const DockerInspect = z.array(
  z.object({ Id: z.string(), Name: z.string(), State: z.object({ Pid: z.number().int() }) }),
);

const CniIps = z.array(z.object({ address: z.string() })).optional();
/** libcni's cache file (`cniCacheV1`), or a bare CNI result with its `ips`. */
const CniResult = z.object({
  containerId: z.string().optional(),
  netns: z.string().optional(),
  cniArgs: z.array(z.tuple([z.string(), z.string()])).optional(),
  result: z.object({ ips: CniIps }).optional(),
  ips: CniIps,
});

interface CrictlPod {
  id: string | null;
  labels: Record<string, string>;
}

interface CniAttachment {
  netns: string | null;
  containerId: string | null;
  labels: Record<string, string>;
  /** Pod addresses without their prefix length. */
  ips: string[];
}

export interface RuntimeIndex {
  crictl: Map<string, CrictlPod>;
  dockerNameByPid: Map<number, string>;
  cni: CniAttachment[];
}

export interface PodIdentity {
  name: string;
  labels: Record<string, string>;
}

function parseJson<T>(schema: z.ZodType<T>, section: Section | undefined): T | null {
  if (!section || section.exitCode !== 0 || section.missing) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(section.stdout));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function runtimeIndex(
  sections: readonly Section[],
  lookup: (name: string) => Section | undefined,
): RuntimeIndex {
  const index: RuntimeIndex = { crictl: new Map(), dockerNameByPid: new Map(), cni: [] };
  for (const section of sections) {
    const crictl = /^(crictl\d+):inspectp$/.exec(section.name);
    if (crictl) {
      const status = parseJson(CrictlInspect, section)?.status;
      if (!status) continue;
      const labels = { ...status.labels };
      labels[podNameLabel] ??= status.metadata?.name ?? '';
      labels[podNamespaceLabel] ??= status.metadata?.namespace ?? '';
      index.crictl.set(crictl[1]!, { id: status.id ?? null, labels: withoutEmpty(labels) });
    }
    const cni = /^(cni\d+):result$/.exec(section.name);
    if (cni) {
      const result = parseJson(CniResult, section);
      if (!result) continue;
      const args = new Map(result.cniArgs ?? []);
      index.cni.push({
        netns: result.netns ?? null,
        containerId: result.containerId ?? null,
        labels: withoutEmpty({
          [podNameLabel]: args.get('K8S_POD_NAME') ?? '',
          [podNamespaceLabel]: args.get('K8S_POD_NAMESPACE') ?? '',
        }),
        ips: [...(result.result?.ips ?? []), ...(result.ips ?? [])]
          .map((ip) => ip.address.split('/')[0]!)
          .filter(namesOnePod),
      });
    }
  }
  for (const container of parseJson(DockerInspect, lookup('discover:docker-inspect')) ?? []) {
    if (container.State.Pid > 0)
      index.dockerNameByPid.set(container.State.Pid, container.Name.replace(/^\//, ''));
  }
  return index;
}

/**
 * Whether an address can tell one pod from another: every namespace has loopback, and link-local
 * addresses repeat between them (the loopback plugin's result holds 127.0.0.1 and ::1).
 */
function namesOnePod(ip: string): boolean {
  const lower = ip.toLowerCase();
  return !(
    ip.startsWith('127.') ||
    ip.startsWith('169.254.') ||
    lower === '::1' ||
    /^fe[89ab][0-9a-f]:/.test(lower)
  );
}

function withoutEmpty(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
}

function k8sName(labels: Record<string, string>): string | null {
  const name = labels[podNameLabel];
  if (!name) return null;
  const ns = labels[podNamespaceLabel];
  return ns ? `${ns}/${name}` : name;
}

/** Names one namespace; `addresses` are its own, to match CNI results that do not say their netns. */
export function podIdentity(
  candidate: NetnsCandidate,
  addresses: readonly string[],
  index: RuntimeIndex,
): PodIdentity {
  const crictl = candidate.crictlRefs.map((ref) => index.crictl.get(ref)).find((p) => p !== undefined);
  if (crictl && k8sName(crictl.labels)) return { name: k8sName(crictl.labels)!, labels: crictl.labels };
  // The surest link first: addresses are reused, and a stale cache entry may still hold one.
  const cni =
    index.cni.find((a) => a.netns !== null && cniNetnsMatches(a.netns, candidate)) ??
    index.cni.find((a) => a.containerId !== null && crictl?.id === a.containerId) ??
    index.cni.find((a) => a.ips.some((ip) => addresses.includes(ip)));
  if (cni && k8sName(cni.labels)) return { name: k8sName(cni.labels)!, labels: cni.labels };
  const docker = candidate.pid === null ? undefined : index.dockerNameByPid.get(candidate.pid);
  if (docker) return { name: docker, labels: {} };
  if (candidate.name) return { name: candidate.name, labels: {} };
  if (candidate.pid !== null) return { name: `pid-${candidate.pid}`, labels: {} };
  return { name: `netns-${candidate.inode ?? 'unknown'}`, labels: {} };
}

function cniNetnsMatches(netns: string, candidate: NetnsCandidate): boolean {
  if (candidate.paths.includes(netns)) return true;
  const base = netns.slice(netns.lastIndexOf('/') + 1);
  if (candidate.name !== null && base === candidate.name && netns.includes('/netns/')) return true;
  return candidate.pid !== null && netns === `/proc/${candidate.pid}/ns/net`;
}

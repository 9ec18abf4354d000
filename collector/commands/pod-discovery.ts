import { z } from 'zod';
import type { Interface } from '../../lib/model/iproute';
import type { Section } from './parse-sections';

type Lookup = (name: string) => Section | undefined;

/** How the script found a namespace. */
export type NetnsVia = 'named' | 'crictl' | 'docker' | 'proc';

/** One network namespace of the machine, with every way the script found it. */
export interface NetnsCandidate {
  /** Section prefix of the data read inside it (`ns3`); null when it was not read. */
  key: string | null;
  /** The namespace's inode, which tells namespaces apart; null when it could not be read. */
  inode: string | null;
  via: NetnsVia[];
  /** Its `ip netns` name, when it has one. */
  name: string | null;
  pid: number | null;
  /** Paths that lead to it (`/var/run/netns/NAME`, a runtime's netns path). */
  paths: string[];
  /** `crictlN` prefixes of the `crictl inspectp` sections of the pods in it. */
  crictlRefs: string[];
  /** Why the script did not read it (`no-nsid`: this host has no id for it, so no veth into it). */
  skipped: string | null;
}

const viaValues = new Set<string>(['named', 'crictl', 'docker', 'proc']);

/** Groups the script's `nsN:meta` sections by namespace inode, in the order they were found. */
export function netnsCandidates(sections: readonly Section[], lookup: Lookup): NetnsCandidate[] {
  const byInode = new Map<string, NetnsCandidate>();
  const all: NetnsCandidate[] = [];
  for (const section of sections) {
    const m = /^(ns\d+):meta$/.exec(section.name);
    if (!m) continue;
    const prefix = m[1]!;
    const meta = parseMeta(section.stdout);
    const via = meta.get('via') ?? '';
    const inode = meta.get('inode') || null;
    const pid = /^\d+$/.test(meta.get('pid') ?? '') ? Number(meta.get('pid')) : null;
    const path = lookup(`${prefix}:path`)?.stdout ?? null;
    const ref = meta.get('ref') || null;
    let candidate = inode ? byInode.get(inode) : undefined;
    if (!candidate) {
      candidate = {
        key: null,
        inode,
        via: [],
        name: null,
        pid: null,
        paths: [],
        crictlRefs: [],
        skipped: null,
      };
      all.push(candidate);
      if (inode) byInode.set(inode, candidate);
    }
    if (viaValues.has(via) && !candidate.via.includes(via as NetnsVia)) candidate.via.push(via as NetnsVia);
    if (meta.get('collected') === '1' && candidate.key === null) candidate.key = prefix;
    if (via === 'named' && path && candidate.name === null)
      candidate.name = path.slice(path.lastIndexOf('/') + 1);
    if (path && !candidate.paths.includes(path)) candidate.paths.push(path);
    if (pid !== null && candidate.pid === null) candidate.pid = pid;
    if (via === 'crictl' && ref) candidate.crictlRefs.push(ref);
    if (meta.get('skipped')) candidate.skipped ??= meta.get('skipped')!;
  }
  return all;
}

function parseMeta(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** The host's own namespace and the machine's root one (`stat` of /proc/self and /proc/1). */
export function hostNetns(lookup: Lookup): { self: string | null; init: string | null } {
  let self: string | null = null;
  let init: string | null = null;
  for (const line of lookup('discover:host-netns')?.stdout.split('\n') ?? []) {
    const [inode, path] = line.split(' ');
    if (path === '/proc/self/ns/net') self = inode ?? null;
    if (path === '/proc/1/ns/net') init = inode ?? null;
  }
  return { self, init };
}

const NetnsIds = z.array(z.object({ nsid: z.number().int(), name: z.string().optional() }));

/** `ip -j netns list-id`: the ids this host gives other namespaces, by name where they have one. */
export function netnsIdsByName(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!text?.trim()) return out;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return out;
  }
  const parsed = NetnsIds.safeParse(value);
  for (const entry of parsed.success ? parsed.data : []) if (entry.name) out.set(entry.name, entry.nsid);
  return out;
}

export interface OwnershipContext {
  hostLinks: readonly Interface[];
  /** The machine's root namespace is the host: every other namespace on it is its own. */
  hostIsInit: boolean;
  /** Empty when `ip -j netns list-id` gave nothing usable (old iproute2): names are then not checked. */
  nsidByName: ReadonlyMap<string, number>;
}

/**
 * Whether a namespace is one of this host's pods. On a machine's root namespace every namespace is.
 * Otherwise (a lab node, a host inside a container) all namespaces of the machine are visible, and
 * a pod is one whose veths all lead into this host: each pod veth's peer is a host veth whose peer
 * is that pod veth, and for a named pod the host calls it by the nsid `ip netns list-id` gives it.
 */
export function isPodOfHost(
  podLinks: readonly Interface[],
  podName: string | null,
  ctx: OwnershipContext,
): boolean {
  if (ctx.hostIsInit) return true;
  const veths = podLinks.filter((l) => l.peer !== null && l.peer.netnsId !== null);
  if (veths.length === 0) return false;
  const checkNsid = podName !== null && ctx.nsidByName.size > 0;
  const nsid = checkNsid ? ctx.nsidByName.get(podName) : undefined;
  if (checkNsid && nsid === undefined) return false;
  return veths.every((pod) =>
    ctx.hostLinks.some(
      (host) =>
        host.index === pod.peer!.ifindex &&
        host.peer !== null &&
        host.peer.ifindex === pod.index &&
        host.peer.netnsId !== null &&
        (nsid === undefined || host.peer.netnsId === nsid),
    ),
  );
}

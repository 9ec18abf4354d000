import { rmdirSync, rmSync } from 'node:fs';
import { labPrefix } from './address-plan';
import { cniCacheMountPoint } from './cni-cache';
import { LabError, runOk } from './lab-exec';
import { withLabLock } from './lab-lock';
import type { LabPaths } from './lab-paths';
import { labStateRead } from './lab-state';
import { labDirProcesses, labNamespaces, labRootLinks, netnsPids, processesStop } from './leftovers';
import { podDetach } from './pod-network';
import { privsepDir } from './sshd';

/**
 * Removes everything the lab made, also after `up` crashed half way: CNI DEL for each pod whose ADD
 * began (newest first), then every process in a lab namespace or running from the lab directory,
 * every `pl-lab-` namespace and root-namespace link, /run/sshd and /var/lib/cni if the lab made
 * them, and the lab directory. Ends by checking that nothing is left.
 */

export type LabLog = (line: string) => void;

/** Pods and containers before nodes, the switch last: a namespace goes after those hanging off it. */
function teardownOrder(ns: string): number {
  if (ns.startsWith(`${labPrefix}pod-`) || ns.startsWith(`${labPrefix}ctr-`)) return 0;
  if (ns.startsWith(`${labPrefix}node-`)) return 1;
  return 2;
}

/** The teardown without the lock, for `up` to clear a half-built lab. Returns warnings. */
export async function labTeardown(paths: LabPaths, log: LabLog): Promise<string[]> {
  const warnings: string[] = [];
  const state = labStateRead(paths.state);
  const present = new Set(await labNamespaces());
  for (const pod of [...(state?.pods ?? [])].reverse()) {
    if (!present.has(pod.nodeNamespace)) continue; // the node and its pod network are gone already
    const failures = await podDetach(pod, paths.xtablesLock, paths.cniCacheDir(pod.node));
    warnings.push(...failures);
    log(`CNI DEL ${pod.podNamespace}${failures.length ? ` (${failures.length} warnings)` : ''}`);
  }

  const pids = new Set(labDirProcesses(paths.dir));
  for (const ns of await labNamespaces()) for (const pid of await netnsPids(ns)) pids.add(pid);
  pids.delete(process.pid);
  if (pids.size > 0) {
    log(`stopping ${pids.size} lab process(es): ${[...pids].join(' ')}`);
    await processesStop([...pids]);
  }

  // The root end first: its peer would take it along, but only once the kernel has finished
  // tearing the switch namespace down, which happens after `ip netns del` returns.
  for (const link of await labRootLinks()) {
    await runOk('ip', ['link', 'del', link]);
    log(`deleted link ${link}`);
  }
  const namespaces = (await labNamespaces()).sort((a, b) => teardownOrder(a) - teardownOrder(b));
  for (const ns of namespaces) {
    await runOk('ip', ['netns', 'del', ns]);
    log(`deleted namespace ${ns}`);
  }
  for (const [made, dir] of [
    [state?.madePrivsepDir, privsepDir],
    [state?.madeCniCacheMountPoint, cniCacheMountPoint],
  ] as const) {
    if (!made) continue;
    try {
      rmdirSync(dir);
    } catch (e) {
      warnings.push(`kept ${dir}: ${(e as Error).message}`);
    }
  }
  rmSync(paths.dir, { recursive: true, force: true });

  const left = [
    ...(await labNamespaces()).map((ns) => `namespace ${ns}`),
    ...(await labRootLinks()).map((l) => `link ${l}`),
    ...labDirProcesses(paths.dir).map((pid) => `process ${pid}`),
  ];
  if (left.length > 0) throw new LabError(`down left behind: ${left.join(', ')}`);
  return warnings;
}

export function labDown(paths: LabPaths, log: LabLog): Promise<string[]> {
  return withLabLock(paths.lock, () => labTeardown(paths, log));
}

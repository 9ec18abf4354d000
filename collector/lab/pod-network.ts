import { cniCacheRemove, cniCacheWrite } from './cni-cache';
import type { CniConflist, CniRuntimeArgs } from './cni-config';
import { cniArgs, cniRuntimeArgs, loopbackConflist } from './cni-config';
import type { CniResult } from './cni-result';
import type { CniSandbox } from './cni-runner';
import { cniAdd, cniDel, cniNetnsPath } from './cni-runner';
import { netnsCreate } from './lab-network';
import type { PodAttachment } from './lab-state';
import type { PodPlan } from './workload-plan';
import { runOk } from './lab-exec';

/**
 * A pod's sandbox as a runtime sets it up: a network namespace, the loopback plugin, then the pod
 * network's plugin chain, each list's result cached where libcni caches it (the node's
 * `cniCacheDir`); torn down in the reverse order. `onRecord` is called before ADD starts and again
 * with its result, so a crash in between still leaves a record for DEL.
 */

const loopbackArgs: CniRuntimeArgs = { portMappings: [] };

function sandboxOf(a: PodAttachment, ifname: string, xtablesLock: string): CniSandbox {
  return {
    nodeNamespace: a.nodeNamespace,
    podNamespace: a.podNamespace,
    containerId: a.containerId,
    ifname,
    cniArgs: a.cniArgs,
    xtablesLock,
  };
}

/** ADD of one network list, then its cache entry, as libcni's AddNetworkList does. */
async function listAdd(
  list: CniConflist,
  a: PodAttachment,
  ifname: string,
  runtimeArgs: CniRuntimeArgs,
  xtablesLock: string,
  cniCacheDir: string,
): Promise<CniResult> {
  const sandbox = sandboxOf(a, ifname, xtablesLock);
  const result = await cniAdd(list, sandbox, runtimeArgs);
  cniCacheWrite({
    cacheDir: cniCacheDir,
    list,
    containerId: a.containerId,
    ifName: ifname,
    netns: cniNetnsPath(a.podNamespace),
    cniArgs: a.cniArgs,
    capabilityArgs: runtimeArgs,
    result,
  });
  return result;
}

/** DEL of one network list; its cache entry goes only when every plugin's DEL succeeded. */
async function listDel(
  list: CniConflist,
  a: PodAttachment,
  ifname: string,
  runtimeArgs: CniRuntimeArgs,
  cached: unknown,
  xtablesLock: string,
  cniCacheDir: string,
): Promise<string[]> {
  const failures = await cniDel(list, sandboxOf(a, ifname, xtablesLock), runtimeArgs, cached);
  if (failures.length === 0) cniCacheRemove(cniCacheDir, list.name, a.containerId, ifname);
  return failures;
}

export async function podAttach(
  pod: PodPlan,
  nodeNamespace: string,
  conflist: CniConflist,
  xtablesLock: string,
  cniCacheDir: string,
  onRecord: (a: PodAttachment) => void,
): Promise<CniResult> {
  const attachment: PodAttachment = {
    node: pod.node,
    nodeNamespace,
    podNamespace: pod.namespace,
    containerId: pod.containerId,
    ifname: 'eth0',
    cniArgs: cniArgs(pod),
    conflist,
    runtimeArgs: cniRuntimeArgs(pod),
    result: null,
  };
  onRecord(attachment);
  await netnsCreate(pod.namespace);
  await listAdd(loopbackConflist, attachment, 'lo', loopbackArgs, xtablesLock, cniCacheDir);
  const result = await listAdd(
    conflist,
    attachment,
    attachment.ifname,
    attachment.runtimeArgs,
    xtablesLock,
    cniCacheDir,
  );
  onRecord({ ...attachment, result });
  return result;
}

/** CNI DEL of the pod network then loopback, and the namespace; returns what failed. */
export async function podDetach(
  a: PodAttachment,
  xtablesLock: string,
  cniCacheDir: string,
): Promise<string[]> {
  const failures = [
    ...(await listDel(a.conflist, a, a.ifname, a.runtimeArgs, a.result, xtablesLock, cniCacheDir)),
    ...(await listDel(loopbackConflist, a, 'lo', loopbackArgs, null, xtablesLock, cniCacheDir)),
  ];
  try {
    await runOk('ip', ['netns', 'del', a.podNamespace]);
  } catch (e) {
    failures.push((e as Error).message);
  }
  return failures;
}

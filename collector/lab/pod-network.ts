import type { CniConflist } from './cni-config';
import { cniArgs, cniRuntimeArgs, loopbackConflist } from './cni-config';
import type { CniResult } from './cni-result';
import type { CniSandbox } from './cni-runner';
import { cniAdd, cniDel } from './cni-runner';
import { netnsCreate } from './lab-network';
import type { PodAttachment } from './lab-state';
import type { PodPlan } from './workload-plan';
import { runOk } from './lab-exec';

/**
 * A pod's sandbox as a runtime sets it up: a network namespace, the loopback plugin, then the pod
 * network's plugin chain; torn down in the reverse order. `onRecord` is called before ADD starts
 * and again with its result, so a crash in between still leaves a record for DEL.
 */

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

export async function podAttach(
  pod: PodPlan,
  nodeNamespace: string,
  conflist: CniConflist,
  xtablesLock: string,
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
  await cniAdd(loopbackConflist, sandboxOf(attachment, 'lo', xtablesLock), { portMappings: [] });
  const result = await cniAdd(
    conflist,
    sandboxOf(attachment, attachment.ifname, xtablesLock),
    attachment.runtimeArgs,
  );
  onRecord({ ...attachment, result });
  return result;
}

/** CNI DEL of the pod network then loopback, and the namespace; returns what failed. */
export async function podDetach(a: PodAttachment, xtablesLock: string): Promise<string[]> {
  const failures = [
    ...(await cniDel(a.conflist, sandboxOf(a, a.ifname, xtablesLock), a.runtimeArgs, a.result)),
    ...(await cniDel(loopbackConflist, sandboxOf(a, 'lo', xtablesLock), { portMappings: [] }, null)),
  ];
  try {
    await runOk('ip', ['netns', 'del', a.podNamespace]);
  } catch (e) {
    failures.push((e as Error).message);
  }
  return failures;
}

import type { CniConflist, CniRuntimeArgs } from './cni-config';
import { cniPluginConfig } from './cni-config';
import { CniResult } from './cni-result';
import { envArgs, LabError } from './lab-exec';
import { run } from '../netns/netns';

/**
 * Runs CNI plugins the way a container runtime (libcni) does: the plugin binary executed in the
 * node's network namespace, CNI_* variables in an otherwise empty environment, the plugin config on
 * stdin, plugins chained through prevResult on ADD and called in reverse order on DEL.
 */

export const cniPath = '/usr/lib/cni';

/** CNI_NETNS of a pod's sandbox: its `ip netns` bind mount. */
export function cniNetnsPath(podNamespace: string): string {
  return `/var/run/netns/${podNamespace}`;
}

export interface CniSandbox {
  nodeNamespace: string;
  podNamespace: string;
  containerId: string;
  ifname: string;
  cniArgs: string;
  /** iptables-legacy's lock file (plugins may run iptables). */
  xtablesLock: string;
}

async function cniExec(
  command: 'ADD' | 'DEL',
  sandbox: CniSandbox,
  plugin: string,
  config: Record<string, unknown>,
): Promise<unknown> {
  const env = envArgs({
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    XTABLES_LOCKFILE: sandbox.xtablesLock,
    CNI_COMMAND: command,
    CNI_CONTAINERID: sandbox.containerId,
    CNI_NETNS: cniNetnsPath(sandbox.podNamespace),
    CNI_IFNAME: sandbox.ifname,
    CNI_ARGS: sandbox.cniArgs,
    CNI_PATH: cniPath,
  });
  const result = await run(
    'ip',
    ['netns', 'exec', sandbox.nodeNamespace, 'env', ...env, `${cniPath}/${plugin}`],
    JSON.stringify(config),
  );
  if (result.code !== 0) {
    // Plugins report errors as JSON on stdout ({ code, msg, details }).
    const said = [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join(' ');
    throw new LabError(
      `CNI ${command} ${plugin} for ${sandbox.podNamespace} in ${sandbox.nodeNamespace} failed (exit ${result.code}): ${said}`,
    );
  }
  const out = result.stdout.trim();
  return out === '' ? null : (JSON.parse(out) as unknown);
}

/** ADD through the whole list; returns the last plugin's result, the one a runtime caches. */
export async function cniAdd(
  list: CniConflist,
  sandbox: CniSandbox,
  runtime: CniRuntimeArgs,
): Promise<CniResult> {
  let prev: unknown = null;
  for (let i = 0; i < list.plugins.length; i++) {
    const plugin = list.plugins[i]!;
    prev = await cniExec('ADD', sandbox, plugin.type, cniPluginConfig(list, i, runtime, prev));
  }
  const parsed = CniResult.safeParse(prev);
  if (!parsed.success) {
    throw new LabError(
      `CNI ADD ${list.name} for ${sandbox.podNamespace}: unexpected result: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

/**
 * DEL in reverse plugin order, each with the cached ADD result as prevResult. Every plugin is
 * called even when one fails; the failures are returned so that teardown can go on.
 */
export async function cniDel(
  list: CniConflist,
  sandbox: CniSandbox,
  runtime: CniRuntimeArgs,
  cachedResult: unknown,
): Promise<string[]> {
  const failures: string[] = [];
  for (let i = list.plugins.length - 1; i >= 0; i--) {
    const plugin = list.plugins[i]!;
    try {
      await cniExec('DEL', sandbox, plugin.type, cniPluginConfig(list, i, runtime, cachedResult));
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  return failures;
}

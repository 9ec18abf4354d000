import { z } from 'zod';
import type { PodPlan } from './workload-plan';

/**
 * The CNI network configuration of a lab node and the per-plugin configs a runtime derives from
 * it, following libcni: each plugin gets the list's name and cniVersion, a `runtimeConfig` with
 * the capabilities it declares, and the previous plugin's result as `prevResult`.
 */

export const cniVersion = '1.0.0';

/** A plugin entry of a conflist; fields besides `type` and `capabilities` are the plugin's own. */
export const CniPluginConf = z.looseObject({
  type: z.string(),
  capabilities: z.record(z.string(), z.boolean()).optional(),
});
export type CniPluginConf = z.infer<typeof CniPluginConf>;

export const CniConflist = z.object({
  cniVersion: z.string(),
  name: z.string(),
  plugins: z.array(CniPluginConf),
});
export type CniConflist = z.infer<typeof CniConflist>;

/** The chain bridge → portmap → firewall, the shape containerd's default conflist has. */
export function cniConflist(network: string, podCidr: string, ipamDir: string): CniConflist {
  return {
    cniVersion,
    name: network,
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: podCidr }]],
          routes: [{ dst: '0.0.0.0/0' }],
          // Leases live in the lab directory, not in the host's /var/lib/cni.
          dataDir: ipamDir,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      { type: 'firewall', backend: 'iptables' },
    ],
  };
}

/** containerd sets up a sandbox's loopback with this one-plugin network before the pod network. */
export const loopbackConflist: CniConflist = {
  cniVersion,
  name: 'cni-loopback',
  plugins: [{ type: 'loopback' }],
};

/** The capability arguments a runtime has for a pod (libcni's CapabilityArgs). */
export const CniRuntimeArgs = z.object({
  portMappings: z.array(
    z.object({
      hostPort: z.number().int(),
      containerPort: z.number().int(),
      protocol: z.enum(['tcp', 'udp']),
    }),
  ),
});
export type CniRuntimeArgs = z.infer<typeof CniRuntimeArgs>;

export function cniRuntimeArgs(pod: PodPlan): CniRuntimeArgs {
  return { portMappings: pod.hostPorts };
}

/** What plugin `index` reads on stdin, for ADD (prevResult: the previous plugin's result) and DEL. */
export function cniPluginConfig(
  list: CniConflist,
  index: number,
  runtime: CniRuntimeArgs,
  prevResult: unknown,
): Record<string, unknown> {
  const plugin = list.plugins[index];
  if (!plugin) throw new Error(`CNI network ${list.name} has no plugin number ${index}`);
  const conf: Record<string, unknown> = { cniVersion: list.cniVersion, name: list.name, ...plugin };
  const wanted = Object.entries(plugin.capabilities ?? {}).filter(([, on]) => on);
  const runtimeConfig = Object.fromEntries(
    wanted.filter(([key]) => key in runtime).map(([key]) => [key, runtime[key as keyof CniRuntimeArgs]]),
  );
  if (Object.keys(runtimeConfig).length > 0) conf.runtimeConfig = runtimeConfig;
  if (prevResult !== null && prevResult !== undefined) conf.prevResult = prevResult;
  return conf;
}

/** CNI_ARGS as the Kubernetes CRI runtimes pass it. */
export function cniArgs(pod: PodPlan): string {
  const [namespace, name] = pod.name.split('/') as [string, string];
  return [
    'IgnoreUnknown=1',
    `K8S_POD_NAMESPACE=${namespace}`,
    `K8S_POD_NAME=${name}`,
    `K8S_POD_INFRA_CONTAINER_ID=${pod.containerId}`,
  ].join(';');
}

import { z } from 'zod';

/**
 * A CNI plugin's result (spec 1.0.0), validated where the lab reads it; unknown keys are kept, so
 * the recorded result is the plugin's whole answer.
 */

export const CniResult = z.looseObject({
  cniVersion: z.string(),
  interfaces: z
    .array(
      z.looseObject({
        name: z.string(),
        mac: z.string().optional(),
        /** Set on interfaces inside the container's namespace. */
        sandbox: z.string().optional(),
      }),
    )
    .default([]),
  ips: z
    .array(
      z.looseObject({
        /** Index into `interfaces`. */
        interface: z.number().int().nonnegative().optional(),
        address: z.string(),
        gateway: z.string().optional(),
      }),
    )
    .default([]),
});
export type CniResult = z.infer<typeof CniResult>;

export interface CniPodFacts {
  /** The pod's IPv4 address without prefix length. */
  ip: string;
  /** The interface inside the pod (CNI_IFNAME). */
  interface: string;
  /** The host-side veth in the node namespace. */
  hostVeth: string;
}

/** Reads what the lab needs to know about a pod from its bridge plugin result. */
export function cniPodFacts(result: CniResult, bridge: string): CniPodFacts {
  const ip = result.ips.find((entry) => entry.interface !== undefined && !entry.address.includes(':'));
  if (!ip || ip.interface === undefined) throw new Error('CNI result has no IPv4 address on an interface');
  const podInterface = result.interfaces[ip.interface];
  if (!podInterface?.sandbox) throw new Error('CNI result: the address is not on a sandbox interface');
  const hostVeth = result.interfaces.find((i) => i.sandbox === undefined && i.name !== bridge);
  if (!hostVeth) throw new Error('CNI result has no host-side veth');
  return { ip: ip.address.split('/')[0]!, interface: podInterface.name, hostVeth: hostVeth.name };
}

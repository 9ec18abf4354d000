import { cidrPrefixLength } from './address-plan';
import { bridgeCreate, netnsCreate, vethCreate } from './lab-network';
import { runOk } from './lab-exec';
import type { DockerContainerPlan } from './workload-plan';

/**
 * Docker's default network without Docker: the docker0 bridge inside the node namespace and one
 * container namespace on it, wired the way libnetwork wires them (host veth on docker0, eth0 in the
 * container, default route via the bridge). Its iptables rules come from docker-rules.ts.
 */
export async function dockerBridgeBuild(c: DockerContainerPlan, nodeNamespace: string): Promise<void> {
  await bridgeCreate(nodeNamespace, 'docker0', c.bridgeAddress);
  await netnsCreate(c.namespace);
  await vethCreate(
    { namespace: nodeNamespace, name: c.hostVeth, address: null, bridge: 'docker0' },
    {
      namespace: c.namespace,
      name: 'eth0',
      address: `${c.address}/${cidrPrefixLength(c.subnet)}`,
      bridge: null,
    },
  );
  const gateway = c.bridgeAddress.split('/')[0]!;
  await runOk('ip', ['-n', c.namespace, 'route', 'add', 'default', 'via', gateway]);
}

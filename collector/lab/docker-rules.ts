import type { DockerContainerPlan } from './workload-plan';

/**
 * The iptables rules Docker (moby 28, iptables-nft) writes for the default bridge docker0 with one
 * published port, as an `iptables-restore --noflush` payload: chain layout as in
 * ../shared/fixtures/real/docker/moby-iptablesdoc-usernet-portmap.iptables-save.iptables.
 * Built-in chains are not declared, so their policies stay ACCEPT: Docker would set FORWARD to
 * DROP, which would also drop the routed pod traffic between lab nodes.
 */
export function dockerIptablesRestore(container: DockerContainerPlan, bridge = 'docker0'): string {
  const { address, subnet } = container;
  const { hostPort, containerPort, protocol } = container.publishedPort;
  return [
    '*raw',
    // Direct access to the container address from outside the bridge is dropped.
    `-A PREROUTING -d ${address}/32 ! -i ${bridge} -j DROP`,
    'COMMIT',
    '*filter',
    ':DOCKER - [0:0]',
    ':DOCKER-BRIDGE - [0:0]',
    ':DOCKER-CT - [0:0]',
    ':DOCKER-FORWARD - [0:0]',
    ':DOCKER-INTERNAL - [0:0]',
    ':DOCKER-USER - [0:0]',
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-FORWARD',
    `-A DOCKER -d ${address}/32 ! -i ${bridge} -o ${bridge} -p ${protocol} -m ${protocol} --dport ${containerPort} -j ACCEPT`,
    `-A DOCKER ! -i ${bridge} -o ${bridge} -j DROP`,
    `-A DOCKER-BRIDGE -o ${bridge} -j DOCKER`,
    `-A DOCKER-CT -o ${bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    '-A DOCKER-FORWARD -j DOCKER-CT',
    '-A DOCKER-FORWARD -j DOCKER-INTERNAL',
    '-A DOCKER-FORWARD -j DOCKER-BRIDGE',
    `-A DOCKER-FORWARD -i ${bridge} -j ACCEPT`,
    'COMMIT',
    '*nat',
    ':DOCKER - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    `-A POSTROUTING -s ${subnet} ! -o ${bridge} -j MASQUERADE`,
    `-A DOCKER ! -i ${bridge} -p ${protocol} -m ${protocol} --dport ${hostPort} -j DNAT --to-destination ${address}:${containerPort}`,
    'COMMIT',
    '',
  ].join('\n');
}

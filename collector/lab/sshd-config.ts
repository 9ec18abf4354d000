/**
 * One lab node's sshd_config: key-only root login on the node's lab address, everything else off.
 * Absolute paths only, because sshd re-executes itself and its children run from `/`.
 */
export interface SshdConfigInput {
  node: string;
  namespace: string;
  address: string;
  port: number;
  hostKey: string;
  authorizedKeys: string;
}

export function sshdConfig(input: SshdConfigInput): string {
  return [
    `# packetlens lab: sshd of ${input.node}, run in network namespace ${input.namespace}`,
    `ListenAddress ${input.address}:${input.port}`,
    `HostKey ${input.hostKey}`,
    `AuthorizedKeysFile ${input.authorizedKeys}`,
    // The lab directory may sit under a world-writable one (a CI clone in /tmp), which StrictModes refuses.
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // PAM would consult the host's login stack; the lab only needs keys.
    'UsePAM no',
    // ProxyJump through a node opens direct-tcpip channels from it.
    'AllowTcpForwarding yes',
    'X11Forwarding no',
    'PrintMotd no',
    // The collector opens many connections at once (fan-out, benchmarks).
    'MaxStartups 200:30:400',
    'MaxSessions 64',
    '',
  ].join('\n');
}

/**
 * The client side of the lab's SSH: known_hosts lines in OpenSSH's format and an ssh_config with
 * one Host per node, so that `ssh -F data/lab/ssh_config node-3` works (through node-1).
 */

export interface SshHost {
  name: string;
  address: string;
  port: number;
  jump: string | null;
  /** The host's public key as ssh-keygen writes it (`type base64 [comment]`). */
  publicKey: string;
}

/** OpenSSH writes a non-default port as `[addr]:port`. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

export function knownHostsLine(host: SshHost): string {
  const [type, key] = host.publicKey.trim().split(/\s+/);
  if (!type || !key) throw new Error(`${host.name}: not an OpenSSH public key: '${host.publicKey.trim()}'`);
  return `${knownHostsName(host.address, host.port)} ${type} ${key}`;
}

export function knownHostsFile(hosts: readonly SshHost[]): string {
  return hosts.map((h) => `${knownHostsLine(h)}\n`).join('');
}

export interface SshClientConfigInput {
  hosts: readonly SshHost[];
  user: string;
  identityFile: string;
  knownHosts: string;
  connectTimeoutSeconds: number;
}

export function sshClientConfig(input: SshClientConfigInput): string {
  const out = ['# packetlens lab: ssh -F <this file> node-1'];
  for (const h of input.hosts) {
    out.push(`Host ${h.name}`, `  HostName ${h.address}`, `  Port ${h.port}`);
    if (h.jump) out.push(`  ProxyJump ${h.jump}`);
  }
  // The same settings for the jump connection: ssh passes -F on to the ProxyJump ssh.
  out.push(
    'Host *',
    `  User ${input.user}`,
    `  IdentityFile ${input.identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${input.knownHosts}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    `  ConnectTimeout ${input.connectTimeoutSeconds}`,
    '',
  );
  return out.join('\n');
}

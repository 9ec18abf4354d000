import { describe, expect, it } from 'vitest';
import { knownHostsFile, knownHostsName, sshClientConfig } from './ssh-client-files';
import { sshdConfig } from './sshd-config';

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKCkk6sN4 root@node-1';
const hosts = [
  { name: 'node-1', address: '198.18.0.11', port: 22, jump: null, publicKey: key },
  { name: 'node-3', address: '198.18.1.13', port: 2222, jump: 'node-1', publicKey: key },
];

describe('known_hosts', () => {
  it('writes plain addresses for port 22 and [addr]:port otherwise, without the key comment', () => {
    expect(knownHostsName('198.18.0.11', 22)).toBe('198.18.0.11');
    expect(knownHostsFile(hosts)).toBe(
      '198.18.0.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKCkk6sN4\n' +
        '[198.18.1.13]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKCkk6sN4\n',
    );
  });

  it('refuses text that is not a public key', () => {
    expect(() => knownHostsFile([{ ...hosts[0]!, publicKey: 'garbage' }])).toThrow(
      "node-1: not an OpenSSH public key: 'garbage'",
    );
  });
});

describe('sshClientConfig', () => {
  it('gives each node a Host with its jump, and the lab key and known_hosts to every connection', () => {
    const text = sshClientConfig({
      hosts,
      user: 'root',
      identityFile: '/lab/id_ed25519',
      knownHosts: '/lab/known_hosts',
      connectTimeoutSeconds: 5,
    });
    expect(text).toContain('Host node-3\n  HostName 198.18.1.13\n  Port 2222\n  ProxyJump node-1\n');
    expect(text).toContain('Host *\n  User root\n  IdentityFile /lab/id_ed25519\n  IdentitiesOnly yes\n');
    expect(text).toContain('  UserKnownHostsFile /lab/known_hosts\n');
    expect(text).toContain('  StrictHostKeyChecking yes\n');
  });
});

describe('sshdConfig', () => {
  it('listens on the node address only and allows root with a key and nothing else', () => {
    const text = sshdConfig({
      node: 'node-1',
      namespace: 'pl-lab-node-1',
      address: '198.18.0.11',
      port: 22,
      hostKey: '/lab/nodes/node-1/ssh_host_ed25519_key',
      authorizedKeys: '/lab/authorized_keys',
    });
    const lines = text.split('\n');
    expect(lines).toContain('ListenAddress 198.18.0.11:22');
    expect(lines).toContain('HostKey /lab/nodes/node-1/ssh_host_ed25519_key');
    expect(lines).toContain('AuthorizedKeysFile /lab/authorized_keys');
    expect(lines).toContain('PermitRootLogin prohibit-password');
    expect(lines).toContain('PasswordAuthentication no');
    expect(lines).toContain('KbdInteractiveAuthentication no');
    expect(lines).toContain('AllowTcpForwarding yes');
  });
});

import { describe, expect, it } from 'vitest';
import type { ResolvedHost } from '../inventory/inventory';
import { redactor } from './redact';

const bastion: ResolvedHost = {
  local: false,
  name: 'bastion',
  labels: {},
  commandTimeoutMs: 1000,
  sudo: false,
  address: '203.0.113.10',
  port: 22,
  user: 'root',
  identityFile: '/srv/keys/bastion_ed25519',
  knownHosts: '/srv/ssh/known_hosts',
  connectTimeoutMs: 1000,
  jump: null,
};
const node: ResolvedHost = { ...bastion, name: 'node-1', identityFile: '/srv/keys/node', jump: bastion };

describe('redactor', () => {
  it('replaces the inventory paths of every hop, the agent socket and the access token', () => {
    const redact = redactor([node], {
      ownKnownHosts: '/var/lib/packetlens/known_hosts',
      env: { SSH_AUTH_SOCK: '/tmp/ssh-XYZ/agent.1', PACKETLENS_ACCESS_TOKEN: 'tok-0123456789abcdef' },
    });
    expect(redact('bastion: auth failed with key /srv/keys/bastion_ed25519 (ssh-ed25519)')).toBe(
      'bastion: auth failed with key [identity file] (ssh-ed25519)',
    );
    expect(redact('identity file /srv/keys/node: no such file')).toBe(
      'identity file [identity file]: no such file',
    );
    expect(redact('not in /srv/ssh/known_hosts nor /var/lib/packetlens/known_hosts')).toBe(
      'not in [known_hosts] nor [known_hosts]',
    );
    expect(redact('the keys of ssh-agent at /tmp/ssh-XYZ/agent.1')).toBe(
      'the keys of ssh-agent at [ssh-agent socket]',
    );
    expect(redact('token tok-0123456789abcdef')).toBe('token [access token]');
  });

  it('replaces key-like paths the inventory does not name (a store filled by another one)', () => {
    const redact = redactor([]);
    expect(redact('identity file /home/ops/.ssh/id_rsa is encrypted')).toBe(
      'identity file [key path] is encrypted',
    );
    expect(redact('key ~/deploy/prod.pem (ssh-rsa)')).toBe('key [key path] (ssh-rsa)');
    expect(redact('node-1: 10.0.0.11:22: connection refused')).toBe(
      'node-1: 10.0.0.11:22: connection refused',
    );
  });
});

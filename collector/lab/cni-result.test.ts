import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CniResult, cniPodFacts } from './cni-result';

// Captured from the real bridge plugin by scripts/capture-iptables-fixtures.sh.
const captured = JSON.parse(
  readFileSync(
    path.resolve(__dirname, '../../lib/iptables/__fixtures__/cni-bridge-portmap.result.json'),
    'utf8',
  ),
) as Record<string, unknown>;

describe('cniPodFacts', () => {
  it('reads the pod address, its interface and the host veth from a real bridge result', () => {
    const result = CniResult.parse(captured.firewall);
    expect(cniPodFacts(result, 'cni0')).toEqual({
      ip: '198.18.64.2',
      interface: 'eth0',
      hostVeth: 'vetha9fdf79a',
    });
  });

  it('keeps every key of the result', () => {
    expect(CniResult.parse(captured.bridge)).toHaveProperty('dns');
  });

  it('says what is missing from a result without an address', () => {
    const result = CniResult.parse({ cniVersion: '1.0.0', interfaces: [{ name: 'cni0' }] });
    expect(() => cniPodFacts(result, 'cni0')).toThrow('CNI result has no IPv4 address on an interface');
  });
});

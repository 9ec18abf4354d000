import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { inventoryYaml, labInventory } from './inventory-file';

describe('the lab inventory', () => {
  it('has the contract shape: defaults, hosts with jump and labels, collectEveryMinutes', () => {
    const inventory = labInventory({
      identityFile: '/work/data/lab/id_ed25519',
      knownHosts: '/work/data/lab/known_hosts',
      nodes: [
        { name: 'node-1', address: '198.18.0.11', jump: null, role: 'control-plane' },
        { name: 'node-3', address: '198.18.1.13', jump: 'node-1', role: 'worker' },
      ],
    });
    expect(parse(inventoryYaml(inventory))).toEqual({
      defaults: {
        user: 'root',
        port: 22,
        identityFile: '/work/data/lab/id_ed25519',
        knownHosts: '/work/data/lab/known_hosts',
        connectTimeoutMs: 5000,
        commandTimeoutMs: 30000,
        sudo: false,
      },
      hosts: [
        { name: 'node-1', address: '198.18.0.11', labels: { cluster: 'lab', role: 'control-plane' } },
        {
          name: 'node-3',
          address: '198.18.1.13',
          jump: 'node-1',
          labels: { cluster: 'lab', role: 'worker' },
        },
      ],
      collectEveryMinutes: 5,
    });
  });
});

import { stringify } from 'yaml';

/**
 * The lab's packetlens.yaml, in the inventory contract's shape (issue 3): the collector reads it
 * as it is, so keys here are never renamed.
 */

export interface InventoryHost {
  name: string;
  address: string;
  /** Inventory name of the host to ProxyJump through. */
  jump?: string;
  labels: { cluster: string; role: string };
}

export interface InventoryFile {
  defaults: {
    user: string;
    port: number;
    identityFile: string;
    knownHosts: string;
    connectTimeoutMs: number;
    commandTimeoutMs: number;
    sudo: boolean;
  };
  hosts: InventoryHost[];
  collectEveryMinutes: number;
}

export interface LabInventoryInput {
  identityFile: string;
  knownHosts: string;
  nodes: readonly { name: string; address: string; jump: string | null; role: string }[];
}

export function labInventory(input: LabInventoryInput): InventoryFile {
  return {
    defaults: {
      user: 'root',
      port: 22,
      identityFile: input.identityFile,
      knownHosts: input.knownHosts,
      connectTimeoutMs: 5000,
      commandTimeoutMs: 30000,
      sudo: false,
    },
    hosts: input.nodes.map((n) => ({
      name: n.name,
      address: n.address,
      ...(n.jump ? { jump: n.jump } : {}),
      labels: { cluster: 'lab', role: n.role },
    })),
    collectEveryMinutes: 5,
  };
}

export function inventoryYaml(inventory: InventoryFile): string {
  return `# Written by \`npm run lab -- up\`: the lab's nodes, for packetlens collect.\n${stringify(inventory)}`;
}

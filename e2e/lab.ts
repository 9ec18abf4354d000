import { readFileSync } from 'node:fs';
import path from 'node:path';

/** What the lab built (data/lab/lab.json), read as the tests' expectations of the fleet. */
export interface LabFacts {
  nodes: { name: string; address: string; iptablesBackends: ('nft' | 'legacy')[] }[];
  pods: { name: string; namespace: string; node: string; ip: string }[];
  containers: { name: string; namespace: string; node: string; ip: string }[];
  services: { name: string; clusterIp: string; port: number; nodePort: number | null }[];
}

export const labDir = path.resolve(process.env.PACKETLENS_E2E_LAB_DIR ?? path.join('data', 'lab'));

export function labFacts(): LabFacts {
  return JSON.parse(readFileSync(path.join(labDir, 'lab.json'), 'utf8')) as LabFacts;
}

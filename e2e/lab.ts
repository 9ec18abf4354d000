import { readFileSync } from 'node:fs';
import path from 'node:path';

/** What the lab built (data/lab/lab.json), read as the tests' expectations of the fleet. */
export interface LabPort {
  hostPort: number;
  containerPort: number;
  protocol: string;
}

export interface LabFacts {
  nodes: { name: string; address: string; iptablesBackends: ('nft' | 'legacy')[] }[];
  pods: { name: string; namespace: string; node: string; ip: string; hostPorts: LabPort[] }[];
  containers: { name: string; namespace: string; node: string; ip: string; publishedPorts: LabPort[] }[];
  services: {
    name: string;
    clusterIp: string;
    port: number;
    nodePort: number | null;
    endpoints: { pod: string; ip: string; port: number; node: string }[];
  }[];
}

export const labDir = path.resolve(process.env.PACKETLENS_E2E_LAB_DIR ?? path.join('data', 'lab'));

export function labFacts(): LabFacts {
  return JSON.parse(readFileSync(path.join(labDir, 'lab.json'), 'utf8')) as LabFacts;
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BaseChain } from './base-chains';
import type { BaseChainIndex } from './base-chains';
import { parseMonitorOutput } from './parse-monitor';
import { Probe } from './probe';
import type { TraceEvent } from './trace-event';

/**
 * The fixtures scripts/capture-ktrace-fixtures.sh recorded: real `nft -a monitor trace` lines of
 * the kernel-trace scenarios, namespaces named by scenario role.
 */

export const fixtureDir = path.resolve(__dirname, '__fixtures__');

const Fixture = z.object({
  captured: z.object({ kernel: z.string(), nft: z.string() }),
  scenario: z.string(),
  label: z.string(),
  probe: Probe,
  outcome: z.object({ outcome: z.string(), detail: z.string(), answer: z.string().nullable() }),
  namespaces: z.array(
    z.object({ netns: z.string(), baseChains: z.array(BaseChain), lines: z.array(z.string()) }),
  ),
});
export type Fixture = z.infer<typeof Fixture> & { name: string };

export function fixtureNames(): string[] {
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

export function fixtureLoad(name: string): Fixture {
  const parsed = Fixture.parse(JSON.parse(readFileSync(path.join(fixtureDir, `${name}.json`), 'utf8')));
  return { ...parsed, name };
}

export function fixtureEvents(f: Fixture): TraceEvent[] {
  return f.namespaces.flatMap((n) => parseMonitorOutput(n.netns, n.lines.join('\n')));
}

export function fixtureIndex(f: Fixture): BaseChainIndex {
  return Object.fromEntries(f.namespaces.map((n) => [n.netns, n.baseChains]));
}

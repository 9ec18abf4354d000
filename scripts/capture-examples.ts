// `npx tsx scripts/capture-examples.ts`: collects every node of the lab (`npm run lab -- up` first)
// with packetlens' own collector, marks the snapshots (and their pods) as examples and writes them to
// public/examples/NAME.snapshot.json, where the dashboard shows them when nothing else is there.
// Root only, like the lab. PACKETLENS_LAB_DIR points at a lab built from another checkout.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hostFetch } from '../collector/collect/collect-host';
import { hostOutputPrepare } from '../collector/collect/host-output';
import { hostResolve, inventoryLoad } from '../collector/inventory/inventory';
import { labPaths } from '../collector/lab/lab-paths';
import type { Snapshot } from '../lib/model/snapshot';
import { Snapshot as SnapshotSchema } from '../lib/model/snapshot';

const outDir = path.resolve(import.meta.dirname, '..', 'public', 'examples');

function markExample(snap: Snapshot): void {
  snap.host.example = true;
  snap.pods.forEach(markExample);
}

async function main(): Promise<void> {
  const paths = labPaths(process.env.PACKETLENS_LAB_DIR || undefined);
  const inventory = await inventoryLoad(paths.inventory).catch((e: unknown) => {
    throw new Error(
      `${paths.inventory}: ${e instanceof Error ? e.message : String(e)} (is the lab up? npm run lab -- up)`,
    );
  });
  mkdirSync(outDir, { recursive: true });
  for (const old of readdirSync(outDir).filter((f) => f.endsWith('.snapshot.json')))
    rmSync(path.join(outDir, old));
  for (const { name } of inventory.hosts) {
    // Fetched and parsed exactly as `packetlens collect` does it.
    const output = await hostFetch(hostResolve(inventory, name), { ownKnownHosts: null, acceptNew: false });
    const prepared = hostOutputPrepare(output);
    const snapshot = SnapshotSchema.parse(JSON.parse(Buffer.from(prepared.parsedJson).toString('utf8')));
    markExample(snapshot);
    // What is written must read back as a snapshot, as the dashboard will read it.
    const text = `${JSON.stringify(SnapshotSchema.parse(snapshot))}\n`;
    const file = path.join(outDir, `${name}.snapshot.json`);
    writeFileSync(file, text);
    console.error(
      `capture-examples: ${path.relative(process.cwd(), file)}: ${(text.length / 1024).toFixed(0)} kB, ${snapshot.pods.length} pods`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(`capture-examples: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});

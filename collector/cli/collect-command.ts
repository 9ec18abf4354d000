import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { collectRun } from '../collect/collect-run';
import type { Inventory, ResolvedHost } from '../inventory/inventory';
import { hostResolve, inventoryLoad } from '../inventory/inventory';
import { defaultStoreFile, openStore } from '../store/sqlite-store';
import { parseCommandArgs } from './args';
import { CliError, UsageError } from './cli-error';

export const collectHelp = `Usage: packetlens collect [--inventory FILE] [--db FILE] [--out DIR] [--host NAME]... [--local] [--accept-new]

Collects every inventory host (or those named with --host) over SSH, in one exec per host, and
stores the snapshots. A host that fails is reported with its reason while the others are collected;
its last good snapshot stays in the store, marked stale.

Options:
  --inventory FILE   inventory YAML (default: packetlens.yaml)
  --db FILE          store (default: ${defaultStoreFile})
  --out DIR          also write NAME.snapshot.json per host there
  --host NAME        collect only this host (repeatable)
  --local            also collect this machine, without SSH (no inventory needed)
  --accept-new       record first-seen host keys in packetlens' own known_hosts (beside the store)
  --concurrency N    hosts collected at once (default 16)
  -h, --help         this help

Exits 1 when any host failed.`;

export async function collectCommand(
  argv: string[],
  stdout: (s: string) => void,
  stderr: (s: string) => void,
): Promise<number | void> {
  const { values, positionals } = parseCommandArgs(argv, {
    inventory: { type: 'string' },
    db: { type: 'string' },
    out: { type: 'string' },
    host: { type: 'string', multiple: true },
    local: { type: 'boolean' },
    'accept-new': { type: 'boolean' },
    concurrency: { type: 'string' },
  });
  if (values.help) return stdout(collectHelp);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (see --help)`);
  const concurrency = values.concurrency === undefined ? 16 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError(`--concurrency must be a positive integer, not '${values.concurrency}'`);

  const hosts: ResolvedHost[] = [];
  const inventoryFile = values.inventory ?? (values.local ? null : 'packetlens.yaml');
  if (inventoryFile) {
    const inventory = await inventoryLoad(inventoryFile);
    hosts.push(...selectHosts(inventory, values.host ?? []));
  }
  if (values.local) {
    hosts.push({ local: true, name: hostname(), labels: {}, commandTimeoutMs: 60_000, sudo: false });
  }
  if (hosts.length === 0) throw new CliError('no hosts to collect');

  const dbFile = values.db ?? defaultStoreFile;
  await mkdir(path.dirname(path.resolve(dbFile)), { recursive: true });
  const store = openStore(dbFile);
  try {
    const outDir = values.out;
    if (outDir) await mkdir(outDir, { recursive: true });
    const run = await collectRun(hosts, store, {
      ownKnownHosts: path.join(path.dirname(path.resolve(dbFile)), 'known_hosts'),
      acceptNew: values['accept-new'] ?? false,
      concurrency,
      onProgress: (done, total) => stderr(`${done}/${total} hosts`),
      onSnapshot: outDir
        ? (name, snapshotJson) =>
            writeFile(path.join(outDir, `${name}.snapshot.json`), [snapshotJson, Buffer.from('\n')])
        : undefined,
    });
    const lines = run.hosts.map((h) =>
      h.status === 'ok' ? `${h.host}: ok` : `${h.host}: failed (${h.failure?.kind}): ${h.failure?.message}`,
    );
    stdout(
      [...lines, `run ${run.id}: ${run.progress.ok} collected, ${run.progress.failed} failed`].join('\n'),
    );
    return run.progress.failed > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}

function selectHosts(inventory: Inventory, names: readonly string[]): ResolvedHost[] {
  const wanted = names.length > 0 ? names : inventory.hosts.map((h) => h.name);
  const known = new Set(inventory.hosts.map((h) => h.name));
  for (const n of wanted)
    if (!known.has(n)) throw new UsageError(`--host ${n}: no such host in the inventory`);
  return wanted.map((n) => hostResolve(inventory, n));
}

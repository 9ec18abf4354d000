import { ParseError } from '../../lib/parse/parse-error';
import { buildSnapshot } from '../../lib/snapshot/build';
import { snapshotStats } from '../../lib/snapshot/stats';
import type { ImportedHost, ImportRequest, ImportResponse } from '../../lib/views/import-payload';
import { importHostName, importHostPrefix } from '../../lib/views/import-payload';
import type { RawOutputs } from '../store/store';
import type { Dashboard } from './runtime';

/**
 * Dumps given on the import page become snapshots of kind `import`, stored under `import:NAME` so
 * they never mix with collected hosts (no inventory name can hold a colon). The dumps themselves are
 * kept as the snapshot's raw outputs, as a collection keeps what the host printed.
 */

export function importDump(d: Dashboard, req: ImportRequest): ImportResponse {
  const host = importHostName(req.name);
  const importedAt = new Date().toISOString();
  let snapshot;
  try {
    snapshot = buildSnapshot(
      req.files.map((f) => ({ origin: f.name, text: f.text })),
      { host, kind: 'import', collectedAt: importedAt },
    );
  } catch (e) {
    if (e instanceof ParseError) {
      return { ok: false, error: { message: e.message, file: e.file, line: e.line, column: e.column } };
    }
    throw e;
  }
  const raw: RawOutputs = {};
  for (const f of req.files) raw[f.name] = { stdout: f.text, stderr: '', exitCode: 0, missing: false };
  const stats = snapshotStats(snapshot);
  d.store().snapshotSave(
    { name: host, kind: 'import', address: null, labels: {} },
    snapshot,
    raw,
    stats,
    null,
  );
  d.warm();
  return { ok: true, host, rules: stats.rules.total };
}

export function importsList(d: Dashboard): ImportedHost[] {
  const store = d.store();
  return store
    .hostsList()
    .filter((h) => h.kind === 'import')
    .map((h) => ({
      host: h.name,
      name: h.name.startsWith(importHostPrefix) ? h.name.slice(importHostPrefix.length) : h.name,
      importedAt: h.lastSeen,
      rules: store.historyOf(h.name).at(-1)?.rulesTotal ?? null,
    }))
    .sort((a, b) => (b.importedAt ?? '').localeCompare(a.importedAt ?? ''));
}

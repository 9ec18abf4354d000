import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Snapshot } from '../model/snapshot';
import { buildSnapshot } from '../snapshot/build';
import { rulesetIndex, type RulesetIndex } from './ruleset-index';

const lib = path.resolve(__dirname, '..');

/** A snapshot of the repository's captured fixtures (paths under lib/), with its index. */
export function fixtureSnapshot(...files: string[]): { snap: Snapshot; index: RulesetIndex } {
  const snap = buildSnapshot(
    files.map((f) => ({ origin: f, text: readFileSync(path.join(lib, f), 'utf8') })),
    { host: 'fixture' },
  );
  return { snap, index: rulesetIndex(snap) };
}

/** A snapshot of one iptables-save text. */
export function textSnapshot(text: string): { snap: Snapshot; index: RulesetIndex } {
  const snap = buildSnapshot([{ origin: 'dump', text }], { host: 'text' });
  return { snap, index: rulesetIndex(snap) };
}

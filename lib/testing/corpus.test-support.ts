import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The shared conformance corpus, read in place beside the repository (never copied into it). */
export const corpusDir = path.resolve(__dirname, '../../../shared/fixtures/real');

/** Files under `dir` (recursively) whose names match, sorted; none when `dir` is absent. */
export function filesUnder(dir: string, name: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => name.test(path.basename(f)))
    .map((f) => path.join(dir, f))
    .sort();
}

/** iptables-save and ip6tables-save dumps. */
export const iptablesDumpName = /\.(iptables|iptables-save|ip6tables-save)$/;
export const nftJsonName = /\.nft\.json$/;

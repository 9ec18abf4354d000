import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir as corpus, filesUnder, iptablesDumpName } from '../testing/corpus.test-support';
import { netnsRun, withNetns } from '../../collector/netns/netns';
import { parseIptablesSave } from './parse-save';
import { renderIptablesSave } from './render-save';

const captured = path.resolve(__dirname, '__fixtures__');

const fixtureInputs = path.resolve(__dirname, '../../scripts/fixture-inputs');

/** The ipsets a captured dump's rules refer to, as the capture script created them. */
function ipsetsFor(file: string): string | null {
  const sets = path.join(fixtureInputs, `${path.basename(file).replace(/\..*$/, '')}.ipset`);
  return existsSync(sets) ? readFileSync(sets, 'utf8') : null;
}

/** Loads rules into a fresh namespace with the real tools and saves them again, comments dropped. */
async function loadAndSave(
  family: 'ip' | 'ip6',
  rules: string,
  ipsets: string | null,
): Promise<{ ok: boolean; saved: string; error: string }> {
  const tool = family === 'ip6' ? 'ip6tables' : 'iptables';
  return withNetns('roundtrip', async (ns) => {
    if (ipsets) {
      const made = await netnsRun(ns, 'ipset', ['restore'], ipsets);
      if (made.code !== 0) throw new Error(`ipset restore failed: ${made.stderr}`);
    }
    const restored = await netnsRun(ns, `${tool}-restore`, ['-c'], rules);
    if (restored.code !== 0) return { ok: false, saved: '', error: restored.stderr.trim() };
    const saved = await netnsRun(ns, `${tool}-save`, ['-c']);
    const lines = saved.stdout.split('\n').filter((l) => !l.startsWith('#'));
    return { ok: true, saved: lines.join('\n'), error: '' };
  });
}

describe('export round-trips through the real iptables-restore and iptables-save', () => {
  it('has root and the tools', async () => {
    expect(process.getuid?.(), 'integration tests need root for network namespaces').toBe(0);
  });

  for (const file of [corpus, captured].flatMap((d) => filesUnder(d, iptablesDumpName))) {
    it(`${path.basename(file)}: export loads and saves exactly as the original does`, async () => {
      const text = readFileSync(file, 'utf8');
      const dump = parseIptablesSave(text, { file });
      const exported = renderIptablesSave(dump, { counters: true });
      const ipsets = ipsetsFor(file);
      const original = await loadAndSave(dump.family, text, ipsets);
      const ours = await loadAndSave(dump.family, exported, ipsets);
      // Dumps this project captured from the real tools always load; only corpus payloads may not.
      if (file.startsWith(captured)) expect(original.error).toBe('');
      if (!original.ok) {
        // A dump the kernel refuses (e.g. nfacct objects that do not exist) must be refused the same way.
        expect(ours.ok).toBe(false);
        expect(ours.error.replace(/line: \d+/, 'line')).toBe(original.error.replace(/line: \d+/, 'line'));
        return;
      }
      expect(ours.error).toBe('');
      expect(ours.saved).toBe(original.saved);
    });
  }
});

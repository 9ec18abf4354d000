import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { framedScript } from '../commands/collect-script';
import { runScript } from '../commands/run-script';
import { shellQuoteAll } from '../commands/shell-quote';
import type { HostOutput } from './collect-host';
import { HostFailureError } from './host-failure';
import { hostOutputPrepare } from './host-output';
import { parsePool } from './parse-pool';

const fixtures = path.resolve(__dirname, '../../lib/iptables/__fixtures__');

/** What the real collect script frames for a host whose tools print these files. */
async function hostOutput(host: string, compress: 'auto' | 'never'): Promise<HostOutput> {
  const body = [
    `pl_run host:iptables-save ${shellQuoteAll(['cat', path.join(fixtures, 'cni-bridge-portmap.iptables-save')])}`,
    `pl_run host:ip6tables-save ${shellQuoteAll(['cat', path.join(fixtures, 'cni-bridge-portmap.ip6tables-save')])}`,
    `pl_run host:nft-ruleset ${shellQuoteAll(['cat', path.join(fixtures, 'cni-bridge-portmap.nft.json')])}`,
    `pl_run host:hostname ${shellQuoteAll(['echo', host])}`,
  ];
  const result = await runScript(framedScript(body, { compress }));
  expect(result.stderr).toBe('');
  return { host, collectedAt: '2026-11-23T12:00:00.000Z', labels: { role: 'worker' }, stdout: result.stdout };
}

const pool = parsePool(2);
afterAll(() => pool.close());

describe('parsePool', () => {
  it('prepares in a parser thread exactly what the main thread prepares', async () => {
    const output = await hostOutput('node-1', 'auto');
    const [threaded, inline] = [await pool.prepare(output), hostOutputPrepare(output)];
    expect(threaded.contentHash).toBe(inline.contentHash);
    expect(threaded.volatile).toEqual(inline.volatile);
    expect(threaded.stats).toEqual(inline.stats);
    expect(threaded.pods).toEqual(inline.pods);
    const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
    expect(text(threaded.parsedJson)).toBe(text(inline.parsedJson));
    expect(text(threaded.rawJson)).toBe(text(inline.rawJson));
    expect(JSON.parse(text(threaded.parsedJson)).netfilter.iptables[0].tables.length).toBeGreaterThan(0);
  });

  it('fails a truncated output as truncated, naming its host, and goes on with the next one', async () => {
    const whole = await hostOutput('node-2', 'never');
    const cut = { ...whole, stdout: whole.stdout.subarray(0, whole.stdout.length >> 1) };
    const [failed, next] = await Promise.allSettled([pool.prepare(cut), pool.prepare(whole)]);
    expect(failed.status).toBe('rejected');
    const error = (failed as PromiseRejectedResult).reason as HostFailureError;
    expect(error).toBeInstanceOf(HostFailureError);
    expect(error.failure.kind).toBe('truncated');
    expect(error.failure.message).toMatch(/^node-2: truncated output: /);
    expect(next.status).toBe('fulfilled');
  });

  it('rejects what is still waiting when it is closed', async () => {
    const own = parsePool(1);
    const output = await hostOutput('node-3', 'auto');
    const waiting = Promise.allSettled([own.prepare(output), own.prepare(output)]);
    await own.close();
    for (const settled of await waiting) {
      expect(settled.status).toBe('rejected');
      expect((settled as PromiseRejectedResult).reason).toEqual(
        new Error('node-3: the parser threads were stopped'),
      );
    }
    await expect(own.prepare(output)).rejects.toThrow('the parser threads are stopped');
  });
});

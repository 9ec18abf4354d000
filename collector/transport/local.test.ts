import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { localTransport } from './local';
import { processGone } from './process-gone';
import { stderrMaxBytes } from './stderr-collector';
import { TransportError } from './transport';

const dir = mkdtempSync(path.join(os.tmpdir(), 'packetlens-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('localTransport', () => {
  const local = localTransport('laptop');
  afterAll(() => local.close());

  it('runs bash and returns exit code, stdout and stderr apart', async () => {
    const result = await local.exec('echo out; echo err >&2; [[ -n "$BASH_VERSION" ]] && exit 3', {
      timeoutMs: 5000,
    });
    expect(result).toEqual({ stdout: Buffer.from('out\n'), stderr: 'err\n', code: 3, signal: null });
  });

  it('passes stdin and closes it', async () => {
    const result = await local.exec('wc -c; cat', { timeoutMs: 5000, stdin: Buffer.from('12345') });
    expect(result.stdout.toString()).toBe('5\n');
    expect((await local.exec('cat', { timeoutMs: 5000 })).stdout.length).toBe(0);
  });

  it('keeps binary stdout byte for byte', async () => {
    const result = await local.exec("printf 'iptables\\0\\377\\n%.0s' {1..1000} | gzip -c", {
      timeoutMs: 5000,
    });
    expect(result.stdout.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(result.stdout)).toEqual(Buffer.from('iptables\0\xff\n'.repeat(1000), 'latin1'));
  });

  it('reports the signal that ended the script', async () => {
    expect(await local.exec('kill -TERM $$', { timeoutMs: 5000 })).toMatchObject({
      code: null,
      signal: 'TERM',
    });
  });

  it('kills the whole process group on timeout', async () => {
    const pids = path.join(dir, 'pids');
    const started = Date.now();
    const failure = await local
      .exec(`sleep 30 & echo $! > ${pids}; echo $$ >> ${pids}; wait`, { timeoutMs: 1000 })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(failure).toBeInstanceOf(TransportError);
    expect(failure).toMatchObject({
      kind: 'timeout',
      host: 'laptop',
      message: 'laptop: command did not finish within 1000 ms; its processes were killed',
    });
    const [sleeper, shell] = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(await processGone(sleeper!)).toBe(true);
    expect(await processGone(shell!)).toBe(true);
  });

  it('caps stderr at 1 MiB and says how much was cut', async () => {
    const result = await local.exec(`head -c ${stderrMaxBytes + 10} /dev/zero | tr '\\0' x >&2`, {
      timeoutMs: 5000,
    });
    expect(result.stderr).toBe(
      `${'x'.repeat(stderrMaxBytes)}\n[packetlens: 10 more bytes of stderr not kept]`,
    );
  });

  it('stops running scripts on close', async () => {
    const other = localTransport();
    const marker = path.join(dir, 'late');
    const running = other.exec(`sleep 1; touch ${marker}`, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    await other.close();
    expect(await running).toMatchObject({ code: null, signal: 'KILL' });
    await new Promise((r) => setTimeout(r, 1200));
    expect(existsSync(marker)).toBe(false);
  });
});

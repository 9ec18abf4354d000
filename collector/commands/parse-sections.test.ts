import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { framedScript } from './collect-script';
import type { Section } from './parse-sections';
import { parseSections, SectionsError } from './parse-sections';
import { runScript } from './run-script';
import { shellQuoteAll } from './shell-quote';

const dir = mkdtempSync(path.join(tmpdir(), 'packetlens-framing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Output {
  stdout: Uint8Array;
  stderr: Uint8Array;
  code: number;
}

let fileCount = 0;
function file(bytes: Uint8Array): string {
  const name = path.join(dir, `f${++fileCount}`);
  writeFileSync(name, bytes);
  return name;
}

/** Frames outputs with the real script: each section is a command that prints exactly them. */
async function frame(outputs: readonly Output[], compress: 'auto' | 'never'): Promise<Buffer> {
  const body = outputs.map(
    (o, i) =>
      `pl_run test:out${i} ${shellQuoteAll(['sh', '-c', 'cat "$1"; cat "$2" >&2; exit "$3"', 'sh', file(o.stdout), file(o.stderr), String(o.code)])}`,
  );
  const result = await runScript(framedScript(body, { compress }));
  expect(result.stderr).toBe('');
  return result.stdout;
}

function errorOf(fn: () => unknown): SectionsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SectionsError);
    return e as SectionsError;
  }
  throw new Error('expected a SectionsError');
}

const tricky = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .array(
      fc.constantFrom(
        '@@packetlens-end 1\n',
        '\n@@packetlens-exit 1 0 0 3 0\n',
        '@@packetlens-section 2 x 1 1\n',
        '@@packetlens-framing 1 plain\n',
        '\n',
        '\0',
        'é',
        'x',
      ),
      { maxLength: 12 },
    )
    .map((parts) => new TextEncoder().encode(parts.join(''))),
);

describe('parseSections round trips', () => {
  for (const compress of ['never', 'auto'] as const) {
    it(`keeps any stdout, stderr and exit code apart (${compress === 'auto' ? 'gzip' : 'plain'})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ stdout: tricky, stderr: tricky, code: fc.integer({ min: 0, max: 255 }) }), {
            minLength: 1,
            maxLength: 3,
          }),
          async (outputs) => {
            const parsed = parseSections(await frame(outputs, compress), 'node-1');
            expect(parsed.compressed).toBe(compress === 'auto');
            expect(parsed.preamble).toBe('');
            expect(parsed.sections.map((s) => [s.id, s.name, s.exitCode, s.missing])).toEqual(
              outputs.map((o, i) => [i + 1, `test:out${i}`, o.code, false]),
            );
            parsed.sections.forEach((s, i) => {
              expect(Buffer.from(s.bytes.stdout)).toEqual(Buffer.from(outputs[i]!.stdout));
              expect(Buffer.from(s.bytes.stderr)).toEqual(Buffer.from(outputs[i]!.stderr));
              expect(s.stdout).toBe(Buffer.from(outputs[i]!.stdout).toString('utf8'));
            });
          },
        ),
        { numRuns: 40 },
      );
    }, 60_000);
  }

  it('marks a tool that is not installed as missing, not failed', async () => {
    const script = framedScript(
      ['pl_run test:gone packetlens-no-such-tool --flag', 'pl_run test:false false'],
      {
        compress: 'never',
      },
    );
    const { sections } = parseSections((await runScript(script)).stdout, 'node-1');
    expect(sections.map((s) => [s.name, s.exitCode, s.missing, s.stdout, s.stderr])).toEqual([
      ['test:gone', 127, true, '', ''],
      ['test:false', 1, false, '', ''],
    ]);
  });
});

describe('parseSections truncation', () => {
  const small: Output[] = [
    { stdout: new TextEncoder().encode('*filter\nCOMMIT\n'), stderr: new Uint8Array(), code: 0 },
    { stdout: new Uint8Array(), stderr: new TextEncoder().encode('oops\n'), code: 2 },
  ];

  for (const compress of ['never', 'auto'] as const) {
    it(`detects a cut at every byte (${compress === 'auto' ? 'gzip' : 'plain'})`, async () => {
      const whole = await frame(small, compress);
      expect(parseSections(whole, 'node-1').sections).toHaveLength(2);
      for (let cut = 0; cut < whole.length; cut++) {
        const e = errorOf(() => parseSections(whole.subarray(0, cut), 'node-1'));
        expect([cut, e.kind, e.host]).toEqual([cut, 'truncated', 'node-1']);
      }
    });
  }
});

describe('parseSections errors', () => {
  const plain = (inner: string) => Buffer.from(`@@packetlens-framing 1 plain\n${inner}`, 'latin1');
  const section = '@@packetlens-section 1 host:hostname 3 0\nab\n\n\n@@packetlens-exit 1 0 0 3 0\n';

  it('reads a hand-written output, skipping what a login script printed first', () => {
    const out = parseSections(
      Buffer.from(`Welcome!\n${plain(`${section}@@packetlens-end 1\n`).toString()}`),
      'h',
    );
    expect(out.preamble).toBe('Welcome!\n');
    expect(out.sections.map((s: Section) => [s.name, s.stdout, s.stderr, s.exitCode])).toEqual([
      ['host:hostname', 'ab\n', '', 0],
    ]);
  });

  const gzipped = (payload: Buffer) => Buffer.concat([Buffer.from('@@packetlens-framing 1 gzip\n'), payload]);
  const complete = `${section}@@packetlens-end 1\n`;

  it.each([
    ['nothing', '', 'node-1: truncated output: it ends before the framing line'],
    [
      'half a framing line',
      '@@packetlens-framing 1 pl',
      'node-1: truncated output: it ends inside the framing line',
    ],
    ['no section', plain(''), 'node-1: truncated output: no end marker before the first section'],
    [
      'no end marker',
      plain(section),
      'node-1: truncated output: no end marker after section 1 (host:hostname)',
    ],
    [
      'short content',
      plain('@@packetlens-section 1 host:hostname 3 0\nab'),
      'node-1: truncated output: it ends inside section 1 (host:hostname): 2 of 3 stdout bytes arrived',
    ],
    [
      'content longer than its count',
      plain('@@packetlens-section 1 host:hostname 1 0\nab\n\n\n@@packetlens-exit 1 0 0 1 0\n'),
      'node-1: truncated output: section 1 (host:hostname): its stdout is not 1 bytes long',
    ],
    [
      'content shorter than its count',
      plain('@@packetlens-section 1 host:hostname 2 0\nab\n\n\n@@packetlens-exit 1 0 0 2 0\n'),
      "node-1: truncated output: section 1 (host:hostname): expected its exit trailer, found ''",
    ],
    [
      'counts that disagree',
      plain(
        '@@packetlens-section 1 host:hostname 3 0\nab\n\n\n@@packetlens-exit 1 0 0 4 0\n@@packetlens-end 1\n',
      ),
      'node-1: truncated output: section 1 (host:hostname): the byte counts disagree (header 3/0, trailer 4/0)',
    ],
    [
      'a wrong section count',
      plain(`${section}@@packetlens-end 2\n`),
      "node-1: truncated output: the end marker '@@packetlens-end 2' does not match the 1 sections read",
    ],
    [
      'a skipped section',
      plain(
        `${section}@@packetlens-section 3 host:x 0 0\n\n\n@@packetlens-exit 3 0 0 0 0\n@@packetlens-end 2\n`,
      ),
      "node-1: truncated output: unexpected section header '@@packetlens-section 3 host:x 0 0' after section 1 (host:hostname)",
    ],
    [
      // Stored (level 0) so that the cut falls at a known byte: 10 header, 5 block, 41 line, 2 content.
      'a gzip stream cut in a section',
      gzipped(gzipSync(complete, { level: 0 }).subarray(0, 58)),
      'node-1: truncated output: the gzip stream ends early: it ends inside section 1 (host:hostname): 2 of 3 stdout bytes arrived',
    ],
    [
      'a gzip stream cut in its checksum',
      gzipped(gzipSync(complete).subarray(0, -4)),
      'node-1: truncated output: the gzip stream ends early, in its checksum',
    ],
  ])('%s', (_label, output, message) => {
    const e = errorOf(() => parseSections(Buffer.from(output), 'node-1'));
    expect(e.message).toBe(message);
    expect(e.kind).toBe('truncated');
  });

  it.each([
    [
      'bash: sh: command not found\n',
      "node-1: no packetlens framing in the output, which starts 'bash: sh: command not found'",
    ],
    ['@@packetlens-framing 2 plain\n', 'node-1: framing version 2 is not supported (expected 1)'],
    ['@@packetlens-framing 1 zstd\n', "node-1: bad framing line '@@packetlens-framing 1 zstd'"],
    ['@@packetlens-framing 1 gzip\nnot gzip', 'node-1: the gzip stream is damaged (incorrect header check)'],
  ])('%j is not collect output', (output, message) => {
    const e = errorOf(() => parseSections(Buffer.from(output), 'node-1'));
    expect(e.message).toBe(message);
    expect(e.kind).toBe('parse');
  });
});

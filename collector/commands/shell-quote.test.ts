import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellQuote, shellQuoteAll } from './shell-quote';

const shells = ['sh', 'bash', 'dash'].filter((s) => spawnSync('sh', ['-c', `command -v ${s}`]).status === 0);

/** What a real shell passes to a command for the quoted word. */
function echoed(shell: string, quoted: string): Buffer {
  const result = spawnSync(shell, ['-c', `printf '%s' ${quoted}`]);
  expect(result.status).toBe(0);
  return result.stdout;
}

const hostile = [
  "'; rm -rf / #",
  "node-1'; touch /tmp/packetlens-pwned; echo '",
  '$(touch /tmp/packetlens-pwned)',
  '`touch /tmp/packetlens-pwned`',
  '"$HOME" ${PATH} $((1+1))',
  'a\nb\r\n\tc',
  "''''",
  '\\',
  "\\'",
  '*?[a-z]{a,b}~',
  '-n',
  '',
  ' leading and trailing ',
  'émoji 🚀 ünïcode',
  '!event history',
  '; | & > < ( )',
];

describe('shellQuote', () => {
  it('wraps a value in single quotes and escapes single quotes as close-escape-reopen', () => {
    expect(shellQuote('node-1')).toBe("'node-1'");
    expect(shellQuote("'; rm -rf / #")).toBe(`''\\''; rm -rf / #'`);
    expect(shellQuote('')).toBe("''");
    expect(shellQuoteAll(['ip', '-j', "it's"])).toBe(`'ip' '-j' 'it'\\''s'`);
  });

  it('refuses NUL, which no command argument can hold', () => {
    expect(() => shellQuote('a\0b')).toThrow('a shell argument cannot contain a NUL byte');
  });

  it.each(shells)('passes hostile strings through %s as one literal word', (shell) => {
    for (const value of hostile) {
      expect(echoed(shell, shellQuote(value)).toString('utf8')).toBe(value);
      // Two words stay two words.
      const two = spawnSync(shell, ['-c', `printf '<%s>' ${shellQuoteAll([value, value])}`]);
      expect(two.stdout.toString('utf8')).toBe(`<${value}><${value}>`);
    }
  });

  it('round-trips any string without NUL through sh', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')),
        (value) => {
          expect(echoed('sh', shellQuote(value)).toString('utf8')).toBe(value);
        },
      ),
      { numRuns: 150 },
    );
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../parse/parse-error';
import { parseIpAddr, parseIpLink, parseIpNeigh, parseIpRoute, parseIpRule } from './parse-json';

const fixtures = path.resolve(__dirname, '__fixtures__');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

const parsers: [string, (text: string) => unknown, string][] = [
  ['parseIpLink', (t) => parseIpLink(t, { file: 'f.json' }), 'ip-link.json'],
  ['parseIpAddr', (t) => parseIpAddr(t, { file: 'f.json' }), 'ip-addr.json'],
  ['parseIpRoute', (t) => parseIpRoute(t, { file: 'f.json' }), 'ip-route.json'],
  ['parseIpRule', (t) => parseIpRule(t, { file: 'f.json', family: 'ip6' }), 'ip-rule.json'],
  ['parseIpNeigh', (t) => parseIpNeigh(t, { file: 'f.json' }), 'ip-neigh.json'],
];

/** Runs a parser and checks that a failure is a ParseError whose position lies inside the text. */
function parsesOrFailsCleanly(parse: (text: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    expect(e.message).toMatch(/^f\.json:\d+:\d+: \S/);
    const lines = text.split('\n');
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(lines.length);
    expect(e.column).toBeLessThanOrEqual(lines[e.line - 1]!.length + 1);
  }
}

/** JSON arrays of objects shaped roughly like ip -j output, with wrong types mixed in. */
const ipLikeJson = fc
  .array(
    fc.dictionary(
      fc.constantFrom(
        'ifindex',
        'ifname',
        'dst',
        'flags',
        'priority',
        'src',
        'addr_info',
        'link_type',
        'state',
        'dev',
        'mtu',
      ),
      fc.oneof(fc.jsonValue(), fc.constantFrom('10.0.0.1', 'fd00::/64', 'default', 'all', [], ['UP'])),
    ),
  )
  .map((items) => JSON.stringify(items));

describe.each(parsers)('%s on hostile input', (_name, parse, fixtureName) => {
  it('throws only ParseError on random text and JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          ipLikeJson,
        ),
        (text) => parsesOrFailsCleanly(parse, text),
      ),
      { numRuns: 500 },
    );
  });

  it('throws only ParseError on every truncation of a captured file', () => {
    const text = fixture(fixtureName);
    const step = Math.max(1, Math.floor(text.length / 300));
    for (let n = 0; n < text.length; n += step) parsesOrFailsCleanly(parse, text.slice(0, n));
  });

  it('throws only ParseError on single-character damage to a captured file', () => {
    const text = fixture(fixtureName);
    fc.assert(
      fc.property(
        fc.nat({ max: text.length - 1 }),
        fc.constantFrom('"', '1', ']', '}', ',', '\0', 'x', ''),
        (at, c) => parsesOrFailsCleanly(parse, text.slice(0, at) + c + text.slice(at + 1)),
      ),
      { numRuns: 300 },
    );
  });
});

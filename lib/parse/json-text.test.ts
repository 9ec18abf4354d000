import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonPathError,
  jsonPathOffset,
  jsonPathText,
  jsonSyntaxFault,
  jsonTextParse,
  textLineColumn,
} from './json-text';
import { ParseError } from './parse-error';

function parseError(text: string): string {
  try {
    jsonTextParse(text, 'x.json', 'JSON');
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return (e as ParseError).message;
  }
  throw new Error('expected a ParseError');
}

function jsonParses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Near-valid JSON: a valid text with one character deleted, replaced or inserted. */
const mutatedJson = fc
  .tuple(
    fc.jsonValue(),
    fc.boolean(),
    fc.nat(),
    fc.constantFrom('', ',', ':', '"', '[', ']', '{', '}', '\\', '\n', '0', 'x', '.', '-', 'e'),
  )
  .map(([value, pretty, at, insert]) => {
    const text = JSON.stringify(value, null, pretty ? 2 : undefined);
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(insert === '' ? i + 1 : i + (at % 2));
  });

describe('jsonSyntaxFault', () => {
  it('finds no fault in what JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        expect(jsonSyntaxFault(JSON.stringify(value, null, pretty ? 2 : undefined))).toBeNull();
      }),
    );
  });

  it('agrees with JSON.parse on near-valid and random text', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedJson, fc.string(), fc.string({ unit: 'binary' })), (text) => {
        expect(jsonSyntaxFault(text) === null).toBe(jsonParses(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('places the fault inside the text', () => {
    fc.assert(
      fc.property(mutatedJson, (text) => {
        const fault = jsonSyntaxFault(text);
        if (fault) expect(fault.offset).toBeLessThanOrEqual(text.length);
      }),
    );
  });
});

describe('jsonTextParse', () => {
  it('returns what JSON.parse returns, a leading byte-order mark allowed', () => {
    expect(jsonTextParse('{"a": [1, null]}', 'x.json', 'JSON')).toEqual({ a: [1, null] });
    expect(jsonTextParse('\ufeff [true]', 'x.json', 'JSON')).toEqual([true]);
    expect(parseError('\ufeff[1,\n 2')).toBe("x.json:2:3: unexpected end of file: expected ',' or ']'");
    expect(parseError('\ufeff\ufeff[]')).toBe("x.json:1:2: unexpected '\\xfeff': expected a JSON value");
  });

  it('says what was expected where', () => {
    expect(parseError('[1,\n 2,\n 3')).toBe("x.json:3:3: unexpected end of file: expected ',' or ']'");
    expect(parseError('{"a" 1}')).toBe("x.json:1:6: unexpected '1': expected ':'");
    expect(parseError('{"a":1,}')).toBe("x.json:1:8: unexpected '}': expected a quoted key");
    expect(parseError("{'a':1}")).toBe("x.json:1:2: unexpected ''a'': expected a quoted key or '}'");
    expect(parseError('[NaN]')).toBe("x.json:1:2: unexpected 'NaN': expected a JSON value or ']'");
    expect(parseError('[1, truex]')).toBe("x.json:1:5: unexpected 'truex': expected a JSON value");
    expect(parseError('{"a": 1 "b": 2}')).toBe("x.json:1:9: unexpected '\"b\"': expected ',' or '}'");
    expect(parseError('["a" "bcd\\"e"]')).toBe(`x.json:1:6: unexpected '"bcd\\"e"': expected ',' or ']'`);
    expect(parseError('[] []')).toBe("x.json:1:4: unexpected '[' after the JSON value: expected end of file");
    expect(parseError('{"nftables": []} x')).toBe(
      "x.json:1:18: unexpected 'x' after the JSON value: expected end of file",
    );
  });

  it('names bad numbers whole', () => {
    expect(parseError('[-]')).toBe("x.json:1:2: bad number '-': expected a JSON number");
    expect(parseError('[01]')).toBe("x.json:1:2: bad number '01': expected a JSON number");
    expect(parseError('[1., 2]')).toBe("x.json:1:2: bad number '1.': expected a JSON number");
    expect(parseError('{"a": 0x10}')).toBe("x.json:1:7: bad number '0x10': expected a JSON number");
  });

  it('explains bad strings', () => {
    expect(parseError('["a\\x"]')).toBe(
      "x.json:1:4: bad escape '\\x': expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u",
    );
    expect(parseError('["\\u12g4"]')).toBe("x.json:1:3: bad escape '\\u12g4': expected \\u and 4 hex digits");
    expect(parseError('["a\tb"]')).toBe(
      "x.json:1:4: control character '\\x09' inside a string: expected it escaped",
    );
    expect(parseError('{"nftables": [{"table": {"family": "ip", "name": "fil')).toBe(
      `x.json:1:54: unexpected end of file: expected '"' to close the string opened at 1:50`,
    );
  });

  it('reports binary and empty input as such', () => {
    expect(parseError('[1,\n 2\u0000]')).toBe('x.json:2:3: binary data: expected JSON');
    expect(parseError('\u0000\u0001\u00fe\u00ffGARBAGE')).toBe('x.json:1:1: binary data: expected JSON');
    expect(parseError('')).toBe('x.json:1:1: empty file: expected JSON');
    expect(parseError(' \n\t\ufeff')).toBe('x.json:1:1: empty file: expected JSON');
  });

  it('stays linear on deep nesting and huge lines, and keeps messages one short line', () => {
    expect(parseError('['.repeat(200_000))).toBe(
      "x.json:1:200001: unexpected end of file: expected a JSON value or ']'",
    );
    expect(parseError(`["${'a'.repeat(1_000_000)}`)).toBe(
      `x.json:1:1000003: unexpected end of file: expected '"' to close the string opened at 1:2`,
    );
    expect(parseError('x'.repeat(1 << 20))).toBe(
      `x.json:1:1: unexpected '${'x'.repeat(40)}…': expected a JSON value`,
    );
    expect(parseError(`[1 "${'y'.repeat(1 << 20)}"]`)).toBe(
      `x.json:1:4: unexpected '"${'y'.repeat(39)}…': expected ',' or ']'`,
    );
  });
});

describe('jsonPathOffset', () => {
  it('finds the value a path leads to', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), { minLength: 1 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (items, i, k, pretty) => {
          const index = i % items.length;
          const keys = Object.keys(items[index]!);
          const key = keys[k % keys.length]!;
          const text = JSON.stringify(items, null, pretty ? 2 : undefined);
          const at = jsonPathOffset(text, [index, key]);
          const value = JSON.stringify(items[index]![key], null, pretty ? 2 : undefined);
          expect(text.startsWith(value.split('\n')[0]!, at)).toBe(true);
        },
      ),
    );
  });

  it('points at the deepest container that exists, and reads pretty output', () => {
    const text = '[\n  {\n    "a": 1\n  },\n  {\n    "b": [10, 20]\n  }\n]';
    expect(textLineColumn(text, jsonPathOffset(text, [1, 'b', 1]))).toEqual({ line: 6, column: 15 });
    expect(textLineColumn(text, jsonPathOffset(text, [1, 'c']))).toEqual({ line: 5, column: 3 });
    expect(textLineColumn(text, jsonPathOffset(text, [5]))).toEqual({ line: 1, column: 1 });
    expect(textLineColumn(text, jsonPathOffset(text, [0, 'a', 'x']))).toEqual({ line: 3, column: 10 });
  });

  it('takes the last of duplicated keys, as JSON.parse does', () => {
    expect(jsonPathOffset('{"a":1,"a":2}', ['a'])).toBe(11);
  });

  it('matches keys written with escapes, and skips a byte-order mark', () => {
    expect(jsonPathOffset('{"\\u0061b": 7, "x": {"y": [true]}}', ['ab'])).toBe(12);
    expect(jsonPathOffset('\ufeff {"x": {"y": [true]}}', ['x', 'y', 0])).toBe(15);
  });
});

describe('jsonPathError', () => {
  it('names the path and points at its value', () => {
    const text = '{\n  "nftables": [\n    {"table": {"family": "ipx"}}\n  ]\n}';
    const e = jsonPathError(text, 'x.json', ['nftables', 0, 'table', 'family'], 'expected a family');
    expect(e).toBeInstanceOf(ParseError);
    expect(e.message).toBe('x.json:3:26: nftables[0].table.family: expected a family');
    expect(jsonPathError(text, 'x.json', [], 'expected an array').message).toBe(
      'x.json:1:1: expected an array',
    );
  });
});

describe('textLineColumn', () => {
  it('counts lines and UTF-16 columns from 1', () => {
    expect(textLineColumn('ab\ncd\n', 0)).toEqual({ line: 1, column: 1 });
    expect(textLineColumn('ab\ncd\n', 2)).toEqual({ line: 1, column: 3 });
    expect(textLineColumn('ab\ncd\n', 3)).toEqual({ line: 2, column: 1 });
    expect(textLineColumn('ab\ncd\n', 6)).toEqual({ line: 3, column: 1 });
    expect(textLineColumn('😀x', 2)).toEqual({ line: 1, column: 3 });
  });

  it('takes an offset past the end as the end', () => {
    expect(textLineColumn('ab\ncd', 99)).toEqual({ line: 2, column: 3 });
  });
});

describe('jsonPathText', () => {
  it('writes indexes and keys as a reader would', () => {
    expect(jsonPathText([3, 'nexthops', 0, 'gateway'])).toBe('[3].nexthops[0].gateway');
    expect(jsonPathText(['nftables', 12, 'rule', 'expr', 3])).toBe('nftables[12].rule.expr[3]');
    expect(jsonPathText(['info_data', 'a b'])).toBe('info_data["a b"]');
    expect(jsonPathText(['nftables', 3, 'ct helper', 'gc-interval'])).toBe(
      'nftables[3]["ct helper"]["gc-interval"]',
    );
    expect(jsonPathText([])).toBe('');
  });
});

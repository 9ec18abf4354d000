import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../parse/parse-error';
import { jsonLocate, jsonPathText, jsonSyntaxFault, jsonTextParse, lineColumnAt } from './json-text';

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
    fc.constantFrom('', ',', ':', '"', '[', ']', '{', '}', '\\', '\n', '0', 'x'),
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
});

describe('jsonTextParse errors', () => {
  it('says what was expected where', () => {
    expect(parseError('[1,\n 2,\n 3')).toBe("x.json:3:3: unexpected end of file: expected ',' or ']'");
    expect(parseError('{"a" 1}')).toBe("x.json:1:6: unexpected '1': expected ':'");
    expect(parseError('{"a":1,}')).toBe("x.json:1:8: unexpected '}': expected a quoted key");
    expect(parseError("{'a':1}")).toBe("x.json:1:2: unexpected ''': expected a quoted key or '}'");
    expect(parseError('[NaN]')).toBe("x.json:1:2: unexpected 'NaN': expected a JSON value or ']'");
    expect(parseError('[-]')).toBe("x.json:1:2: bad number '-': expected a JSON number");
    expect(parseError('["a\\x"]')).toBe(
      "x.json:1:4: bad escape '\\x': expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u",
    );
    expect(parseError('["a\tb"]')).toBe(
      "x.json:1:4: control character '\\x09' inside a string: expected it escaped",
    );
    expect(parseError('[] []')).toBe("x.json:1:4: unexpected '[' after the JSON value: expected end of file");
  });

  it('stays linear on deep nesting and huge lines', () => {
    expect(parseError('['.repeat(200_000))).toBe(
      "x.json:1:200001: unexpected end of file: expected a JSON value or ']'",
    );
    expect(parseError(`["${'a'.repeat(1_000_000)}`)).toBe(
      `x.json:1:1000003: unexpected end of file: expected '"' to close the string opened at 1:2`,
    );
  });
});

describe('jsonLocate', () => {
  it('finds the value a path leads to', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), { minLength: 1 }),
        fc.nat(),
        fc.nat(),
        (items, i, k) => {
          const index = i % items.length;
          const keys = Object.keys(items[index]!);
          const key = keys[k % keys.length]!;
          const text = JSON.stringify(items);
          const at = jsonLocate(text, [index, key]);
          expect(text.startsWith(JSON.stringify(items[index]![key]), at)).toBe(true);
        },
      ),
    );
  });

  it('points at the deepest container that exists, and reads pretty output', () => {
    const text = '[\n  {\n    "a": 1\n  },\n  {\n    "b": [10, 20]\n  }\n]';
    expect(lineColumnAt(text, jsonLocate(text, [1, 'b', 1]))).toEqual({ line: 6, column: 15 });
    expect(lineColumnAt(text, jsonLocate(text, [1, 'c']))).toEqual({ line: 5, column: 3 });
    expect(lineColumnAt(text, jsonLocate(text, [5]))).toEqual({ line: 1, column: 1 });
  });

  it('takes the last of duplicated keys, as JSON.parse does', () => {
    expect(jsonLocate('{"a":1,"a":2}', ['a'])).toBe(11);
  });
});

describe('jsonPathText', () => {
  it('writes indexes and keys as a reader would', () => {
    expect(jsonPathText([3, 'nexthops', 0, 'gateway'])).toBe('[3].nexthops[0].gateway');
    expect(jsonPathText(['info_data', 'a b'])).toBe('info_data["a b"]');
  });
});

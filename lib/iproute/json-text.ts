import { ParseError, quoteForError } from '../parse/parse-error';

/**
 * JSON text with positions: parse with errors that carry line and column, and find where a value
 * of a parsed document sits in its text. JSON.parse does the parsing; the scans here only run to
 * explain a failure, so the common path stays as fast as the engine's parser.
 */

/** Where a value sits in a JSON document: array indexes and object keys from the root. */
export type JsonPath = readonly (string | number)[];

/** `[3].nexthops[0].gateway`: a path as error messages show it. */
export function jsonPathText(path: JsonPath): string {
  return path
    .map((p) =>
      typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][\w-]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`,
    )
    .join('')
    .replace(/^\./, '');
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function fail(text: string, file: string, offset: number, reason: string): never {
  const { line, column } = lineColumnAt(text, offset);
  throw new ParseError(file, line, column, reason);
}

/**
 * Parses JSON text. `what` names what the file should hold, for the messages about binary or empty
 * input, e.g. "the JSON array `ip -j route` prints". Throws only ParseError.
 */
export function jsonTextParse(text: string, file: string, what: string): unknown {
  const nul = text.indexOf('\0');
  if (nul >= 0) fail(text, file, nul, `binary data: expected ${what}`);
  if (text.trim() === '') throw new ParseError(file, 1, 1, `empty file: expected ${what}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The engine's message differs between Node versions and may lack a position: find it ourselves.
    const fault = jsonSyntaxFault(text);
    if (fault) fail(text, file, fault.offset, fault.reason);
    // Only an engine limit (nesting, memory) can get here: report it at the start.
    throw new ParseError(file, 1, 1, `JSON too large or too deeply nested to read: expected ${what}`);
  }
}

interface SyntaxFault {
  offset: number;
  reason: string;
}

type Expect = 'value' | 'value-or-]' | 'key' | 'key-or-}' | 'colon' | 'comma-or-close' | 'end';

const numberRe = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** The token at `i` for a message: a bare word whole (`True`, `NaN`), anything else one character. */
function tokenAt(text: string, i: number): string {
  const word = /[A-Za-z0-9_+.-]+/y;
  word.lastIndex = i;
  const m = word.exec(text);
  return quoteForError(m ? m[0] : text.slice(i, i + 1));
}

function expectation(expect: Expect, inArray: boolean): string {
  switch (expect) {
    case 'value':
      return 'a JSON value';
    case 'value-or-]':
      return "a JSON value or ']'";
    case 'key':
      return 'a quoted key';
    case 'key-or-}':
      return "a quoted key or '}'";
    case 'colon':
      return "':'";
    case 'comma-or-close':
      return inArray ? "',' or ']'" : "',' or '}'";
    case 'end':
      return 'end of file';
  }
}

/** Scans a string starting at its opening quote; returns the offset after its closing quote or a fault. */
function scanString(text: string, start: number): number | SyntaxFault {
  let i = start + 1;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === undefined) break;
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          return {
            offset: i,
            reason: `bad escape ${quoteForError(text.slice(i, i + 6))}: expected \\u and 4 hex digits`,
          };
        }
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(e)) {
        return {
          offset: i,
          reason: `bad escape ${quoteForError(text.slice(i, i + 2))}: expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u`,
        };
      }
      i += 2;
      continue;
    }
    if (c < 0x20)
      return {
        offset: i,
        reason: `control character ${quoteForError(text[i]!)} inside a string: expected it escaped`,
      };
    i++;
  }
  const { line, column } = lineColumnAt(text, start);
  return {
    offset: n,
    reason: `unexpected end of file: expected '"' to close the string opened at ${line}:${column}`,
  };
}

/**
 * Finds the first syntax error of a JSON text and says what was expected there. Iterative, so
 * nesting depth costs memory, not stack, and linear in the text.
 */
export function jsonSyntaxFault(text: string): SyntaxFault | null {
  const stack: ('[' | '{')[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const n = text.length;
  const afterValue = (): Expect => (stack.length > 0 ? 'comma-or-close' : 'end');
  const unexpected = (at: number): SyntaxFault => ({
    offset: at,
    reason: `unexpected ${tokenAt(text, at)}: expected ${expectation(expect, stack[stack.length - 1] === '[')}`,
  });
  for (;;) {
    i = skipWhitespace(text, i);
    if (i >= n) {
      if (expect === 'end') return null;
      return {
        offset: n,
        reason: `unexpected end of file: expected ${expectation(expect, stack[stack.length - 1] === '[')}`,
      };
    }
    const c = text[i]!;
    switch (expect) {
      case 'end':
        return {
          offset: i,
          reason: `unexpected ${tokenAt(text, i)} after the JSON value: expected end of file`,
        };
      case 'colon':
        if (c !== ':') return unexpected(i);
        i++;
        expect = 'value';
        break;
      case 'comma-or-close': {
        const close = stack[stack.length - 1] === '[' ? ']' : '}';
        if (c === ',') {
          i++;
          expect = close === ']' ? 'value' : 'key';
        } else if (c === close) {
          i++;
          stack.pop();
          expect = afterValue();
        } else return unexpected(i);
        break;
      }
      case 'key':
      case 'key-or-}': {
        if (c === '}' && expect === 'key-or-}') {
          i++;
          stack.pop();
          expect = afterValue();
          break;
        }
        if (c !== '"') return unexpected(i);
        const end = scanString(text, i);
        if (typeof end !== 'number') return end;
        i = end;
        expect = 'colon';
        break;
      }
      case 'value':
      case 'value-or-]': {
        if (c === ']' && expect === 'value-or-]') {
          i++;
          stack.pop();
          expect = afterValue();
        } else if (c === '{') {
          i++;
          stack.push('{');
          expect = 'key-or-}';
        } else if (c === '[') {
          i++;
          stack.push('[');
          expect = 'value-or-]';
        } else if (c === '"') {
          const end = scanString(text, i);
          if (typeof end !== 'number') return end;
          i = end;
          expect = afterValue();
        } else if (c === '-' || (c >= '0' && c <= '9')) {
          numberRe.lastIndex = i;
          const m = numberRe.exec(text);
          if (!m) return { offset: i, reason: `bad number ${tokenAt(text, i)}: expected a JSON number` };
          i += m[0].length;
          expect = afterValue();
        } else {
          const literal = ['true', 'false', 'null'].find((l) => text.startsWith(l, i));
          if (!literal) return unexpected(i);
          i += literal.length;
          expect = afterValue();
        }
        break;
      }
    }
  }
}

/** Offset just after the value starting at `i` in valid JSON text. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipValidString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = skipValidString(text, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if ((d === '}' || d === ']') && --depth === 0) return j + 1;
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !',]}'.includes(text[j]!) && !isWhitespace(text.charCodeAt(j))) j++;
  return j;
}

function skipValidString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return text.length;
}

/**
 * Offset of the value at `path` in valid JSON text; when the path leads to a missing element or
 * key, the offset of the deepest array or object that exists. For a duplicated key the last one
 * counts, as in JSON.parse.
 */
export function jsonLocate(text: string, path: JsonPath): number {
  let pos = skipWhitespace(text, 0);
  for (const step of path) {
    const open = text[pos];
    let found = -1;
    if (typeof step === 'number') {
      if (open !== '[') return pos;
      let p = skipWhitespace(text, pos + 1);
      for (let index = 0; text[p] !== ']' && p < text.length; index++) {
        if (index === step) {
          found = p;
          break;
        }
        p = skipWhitespace(text, skipValue(text, p));
        if (text[p] !== ',') break;
        p = skipWhitespace(text, p + 1);
      }
    } else {
      if (open !== '{') return pos;
      let p = skipWhitespace(text, pos + 1);
      while (text[p] === '"') {
        const keyEnd = skipValidString(text, p);
        const matches = keyMatches(text.slice(p, keyEnd), step);
        p = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
        if (matches) found = p;
        p = skipWhitespace(text, skipValue(text, p));
        if (text[p] !== ',') break;
        p = skipWhitespace(text, p + 1);
      }
    }
    if (found < 0) return pos;
    pos = found;
  }
  return pos;
}

function keyMatches(quoted: string, key: string): boolean {
  if (!quoted.includes('\\')) return quoted === `"${key}"`;
  try {
    return JSON.parse(quoted) === key;
  } catch {
    return false;
  }
}

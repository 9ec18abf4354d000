import { ParseError, quoteForError } from './parse-error';

/**
 * JSON text with positions: parse with errors that carry line and column, and find where a value
 * of a parsed document sits in its text. JSON.parse does the parsing; the scans here only run to
 * explain a failure or to place a shape error, so the common path stays as fast as the engine's
 * parser. Node 20's JSON.parse messages differ between versions and often lack a position, so they
 * are never shown. All scans are iterative (nesting costs memory, not stack) and linear in the text.
 */

/** Where a value sits in a JSON document: array indexes and object keys from the root. */
export type JsonPath = readonly (string | number)[];

/** The first syntax error of a JSON text: its UTF-16 offset and what was expected there. */
export interface JsonSyntaxFault {
  offset: number;
  reason: string;
}

/** `nftables[12].rule.expr[3]`, `[3].nexthops[0].gateway`: a path as error messages show it. */
export function jsonPathText(path: JsonPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (!/^[A-Za-z_]\w*$/.test(p)) out += `[${JSON.stringify(p)}]`;
    else out += out === '' ? p : `.${p}`;
  }
  return out;
}

/** 1-based line and column (UTF-16 units) of an offset; an offset past the end counts as the end. */
export function textLineColumn(text: string, offset: number): { line: number; column: number } {
  const end = Math.min(offset, text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

function errorAt(text: string, file: string, offset: number, reason: string): ParseError {
  const { line, column } = textLineColumn(text, offset);
  return new ParseError(file, line, column, reason);
}

/** Where the document starts: after a byte-order mark, which JSON.parse rejects and editors write. */
function documentStart(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/**
 * Parses JSON text. `what` names what the file should hold, for the messages about binary or empty
 * input, e.g. "the JSON array `ip -j route` prints". A leading byte-order mark is allowed. Throws
 * only ParseError.
 */
export function jsonTextParse(text: string, file: string, what: string): unknown {
  const start = documentStart(text);
  try {
    return JSON.parse(start === 0 ? text : text.slice(start)) as unknown;
  } catch {
    // Valid JSON holds no NUL and is never blank, so these checks cost nothing on the common path.
    const nul = text.indexOf('\0');
    if (nul >= 0) throw errorAt(text, file, nul, `binary data: expected ${what}`);
    if (text.trim() === '') throw new ParseError(file, 1, 1, `empty file: expected ${what}`);
    // A space in place of the byte-order mark keeps every offset where it was.
    const fault = jsonSyntaxFault(start === 0 ? text : ` ${text.slice(start)}`);
    if (fault) throw errorAt(text, file, fault.offset, fault.reason);
    // Only an engine limit (string length, memory) can get here: report it at the start.
    throw new ParseError(file, 1, 1, `JSON too large or too deeply nested to read: expected ${what}`);
  }
}

/**
 * A ParseError at the value `path` leads to in valid JSON text (or at the deepest container of it
 * that exists), its reason prefixed with the path unless that is the root.
 */
export function jsonPathError(text: string, file: string, path: JsonPath, reason: string): ParseError {
  const message = path.length > 0 ? `${jsonPathText(path)}: ${reason}` : reason;
  return errorAt(text, file, jsonPathOffset(text, path), message);
}

type Expect = 'value' | 'value-or-]' | 'key' | 'key-or-}' | 'colon' | 'comma-or-close' | 'end';

const numberRe = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const literalRe = /true|false|null/y;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The token at `i` for a message: a string or bare word whole (`"table"`, `True`, `NaN`), anything
 * else one character; at most 40 characters are shown.
 */
function tokenAt(text: string, i: number): string {
  const head = text.slice(i, i + 41);
  const m = /^"(?:[^"\\]|\\[\s\S])*"?/.exec(head) ?? /^[^\s,:[\]{}"]+/.exec(head);
  return quoteForError(m ? m[0] : head.slice(0, 1));
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
function scanString(text: string, start: number): number | JsonSyntaxFault {
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
    if (c < 0x20) {
      return {
        offset: i,
        reason: `control character ${quoteForError(text[i]!)} inside a string: expected it escaped`,
      };
    }
    i++;
  }
  const { line, column } = textLineColumn(text, start);
  return {
    offset: n,
    reason: `unexpected end of file: expected '"' to close the string opened at ${line}:${column}`,
  };
}

/**
 * Finds the first syntax error of a JSON text and says what was expected there, or null when
 * JSON.parse would accept the text.
 */
export function jsonSyntaxFault(text: string): JsonSyntaxFault | null {
  const stack: ('[' | '{')[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const n = text.length;
  const afterValue = (): Expect => (stack.length > 0 ? 'comma-or-close' : 'end');
  const closeContainer = (): void => {
    i++;
    stack.pop();
    expect = afterValue();
  };
  const unexpected = (at: number): JsonSyntaxFault => ({
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
        } else if (c === close) closeContainer();
        else return unexpected(i);
        break;
      }
      case 'key':
      case 'key-or-}': {
        if (c === '}' && expect === 'key-or-}') {
          closeContainer();
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
        if (c === ']' && expect === 'value-or-]') closeContainer();
        else if (c === '{') {
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
          // `-`, `01`, `1.`, `1e5x`: the whole token is the bad number.
          if (!m || /[\w.+-]/.test(text[i + m[0].length] ?? ' ')) {
            return { offset: i, reason: `bad number ${tokenAt(text, i)}: expected a JSON number` };
          }
          i += m[0].length;
          expect = afterValue();
        } else {
          literalRe.lastIndex = i;
          const m = literalRe.exec(text);
          // `True`, `NaN`, `nullx`: the whole word is unexpected.
          if (!m || /\w/.test(text[i + m[0].length] ?? ' ')) return unexpected(i);
          i += m[0].length;
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

function keyMatches(quoted: string, key: string): boolean {
  if (!quoted.includes('\\')) return quoted === `"${key}"`;
  try {
    return JSON.parse(quoted) === key;
  } catch {
    return false;
  }
}

/**
 * Offset of the value at `path` in valid JSON text; when the path leads to a missing element or
 * key, the offset of the deepest array or object that exists. For a duplicated key the last one
 * counts, as in JSON.parse.
 */
export function jsonPathOffset(text: string, path: JsonPath): number {
  let pos = skipWhitespace(text, documentStart(text));
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

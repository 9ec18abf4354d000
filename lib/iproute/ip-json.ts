import type { z } from 'zod';
import type { JsonPath } from '../parse/json-text';
import { jsonPathError, jsonTextParse } from '../parse/json-text';

/**
 * One `ip -j` output being read: its text, for locating errors, and its name. Shape errors name the
 * array index and field (`[3].dst: expected a string`) and point at that value's line and column.
 */
export interface IpJsonSource {
  readonly text: string;
  readonly file: string;
  /** What the file should hold, for root-level messages, e.g. "the JSON array `ip -j route` prints". */
  readonly what: string;
}

/** Throws a ParseError at the value `path` leads to (or the deepest container of it that exists). */
export function ipJsonFail(src: IpJsonSource, path: JsonPath, reason: string): never {
  throw jsonPathError(src.text, src.file, path, reason);
}

/**
 * Parses the text as a JSON array and returns its elements, leaving their shapes to `ipJsonCheck`.
 * Throws only ParseError.
 */
export function ipJsonArray(src: IpJsonSource): unknown[] {
  const value = jsonTextParse(src.text, src.file, src.what);
  if (!Array.isArray(value)) ipJsonFail(src, [], `expected ${src.what}`);
  return value;
}

/** Validates `value`, found at `path`, against a raw-shape schema; a mismatch is a located ParseError. */
export function ipJsonCheck<T>(src: IpJsonSource, schema: z.ZodType<T>, value: unknown, path: JsonPath): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const rel = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const full = [...path, ...rel];
  if (valueAt(value, rel) === undefined) {
    ipJsonFail(src, full, `${describeIssue(issue)}, but it is missing`);
  }
  ipJsonFail(src, full, describeIssue(issue));
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (!Object.hasOwn(v, p)) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

const nouns: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

function noun(expected: string): string {
  return nouns[expected] ?? expected;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${noun(issue.expected)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'too_small':
      return `expected a number ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
    case 'invalid_union': {
      const options = issue.errors.map((branch) => {
        const first = branch[0];
        if (!first || first.path.length > 0) return null;
        if (first.code === 'invalid_type') return noun(first.expected);
        if (first.code === 'invalid_value') return first.values.map((v) => JSON.stringify(v)).join(' or ');
        return null;
      });
      if (options.every((o) => o !== null)) return `expected ${[...new Set(options)].join(' or ')}`;
      return issue.message;
    }
    default:
      return issue.message;
  }
}

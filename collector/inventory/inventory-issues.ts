import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import { quoteForError } from '../../lib/parse/parse-error';
import type { InventoryIssue } from './inventory-error';
import { yamlLocate } from './yaml-locate';

type Path = readonly PropertyKey[];

/** One problem before it is placed: `key` is set when the problem is that key itself (unknown key). */
interface Problem {
  path: Path;
  key?: string;
  reason: string;
}

/**
 * Turns zod's issues into inventory issues: `hosts[1] (node-1): jump` for where, a short reason in
 * the inventory's words, and the YAML line and column. One issue per unknown key, so each gets its line.
 */
export function inventoryIssuesFromZod(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  source: { file: string; doc: Document; lines: LineCounter },
  knownKeysAt: (path: Path) => readonly string[],
): InventoryIssue[] {
  return issues
    .flatMap((issue): Problem[] =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            path: [...issue.path, key],
            key,
            reason: `unknown key (known keys: ${knownKeysAt(issue.path).join(', ')})`,
          }))
        : [{ path: issue.path, reason: issueReason(issue) }],
    )
    .map(({ path, key, reason }): InventoryIssue => {
      const yamlPath = path.filter((p): p is string | number => typeof p !== 'symbol');
      const place = yamlLocate(source.doc, source.lines, key ? yamlPath.slice(0, -1) : yamlPath, key);
      return {
        file: source.file,
        line: place?.line ?? null,
        column: place?.column ?? null,
        where: where(path, input),
        reason,
      };
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** `hosts[1] (node-1): labels.role`, `defaults: port`, `collectEveryMinutes`, or '' for the file. */
function where(path: Path, input: unknown): string {
  const [section, index, ...field] = path.map(String);
  if (section === undefined) return '';
  if (section === 'hosts' && index !== undefined) {
    const name = hostNameAt(input, Number(index));
    const host = name === undefined ? `hosts[${index}]` : `hosts[${index}] (${name})`;
    return field.length ? `${host}: ${field.join('.')}` : host;
  }
  const rest = index === undefined ? [] : [index, ...field];
  return rest.length ? `${section}: ${rest.join('.')}` : section;
}

function hostNameAt(input: unknown, index: number): string | undefined {
  if (!isRecord(input) || !Array.isArray(input.hosts)) return undefined;
  const host: unknown = input.hosts[index];
  return isRecord(host) && typeof host.name === 'string' ? host.name : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function issueReason(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type') return issue.message;
  if (issue.path.length === 0 && issue.input == null)
    return 'the file is empty; an inventory lists its hosts';
  if (issue.input === undefined) return 'required';
  const expected = expectedNames[issue.expected] ?? issue.expected;
  return `expected ${expected}, got ${inputDescribe(issue.input)}`;
}

const expectedNames: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

function inputDescribe(input: unknown): string {
  if (input === null) return 'nothing';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return quoteForError(input);
  return String(input);
}

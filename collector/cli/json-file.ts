import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { CliError } from './cli-error';

/** Reads a JSON file and checks it against `schema`; errors name the file, what it should be, and the field. */
export async function readJsonFile<T extends z.ZodTypeAny>(
  file: string,
  schema: T,
  what: string,
): Promise<z.infer<T>> {
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file}: not JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    throw new CliError(`${file}: not ${what}: field ${field || '(root)'}: ${issue.message}`);
  }
  return parsed.data as z.infer<T>;
}

import type { z } from 'zod';
import { blobDecompress } from './blob-codec';

/**
 * Reads back what the store wrote, through zod: a file edited by hand, written by another version or
 * damaged on disk fails here with what and where, instead of deep in the dashboard.
 */
export function storedJsonParse<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return storedValueParse(schema, value, what);
}

export function storedBlobParse<T>(schema: z.ZodType<T>, codec: string, blob: Buffer, what: string): T {
  let text: string;
  try {
    text = blobDecompress(codec, blob);
  } catch (e) {
    throw new Error(`${what}: cannot decompress (${e instanceof Error ? e.message : String(e)})`);
  }
  return storedJsonParse(schema, text, what);
}

export function storedValueParse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const at = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new Error(`${what} does not match its schema${at}: ${issue?.message ?? 'invalid'}`);
}

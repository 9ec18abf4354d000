import type { z } from 'zod';
import { StoreError } from '../store/store-error';
import { csrfRefusal } from './request-guard';
import { SubjectError } from './subjects';

/** Route handler plumbing: parsed queries, bounded JSON bodies, and errors as JSON with a status. */

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The first zod issue as one line: `page: Too small: expected number to be >0`. */
export function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

export function queryParse<S extends z.ZodType>(schema: S, url: string): z.output<S> {
  const params = Object.fromEntries(new URL(url).searchParams);
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new HttpError(400, zodMessage(parsed.error));
  return parsed.data;
}

/** Reads at most `maxBytes` of a JSON body: a bigger one is refused before it fills memory. */
export async function jsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  const limit = `the request is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`;
  if (declared > maxBytes) throw new HttpError(413, limit);
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new HttpError(413, limit);
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the request body is not JSON');
  }
}

export function csrfCheck(request: Request): void {
  const refusal = csrfRefusal(request.headers);
  if (refusal) throw new HttpError(403, refusal);
}

export function jsonOk(data: unknown, status = 200): Response {
  return Response.json(data, { status, headers: { 'cache-control': 'no-store' } });
}

/** Runs a handler, turning known errors into `{ error }` with their status; others are logged once. */
export async function handled(fn: () => Response | Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof HttpError || e instanceof SubjectError) return jsonOk({ error: e.message }, e.status);
    if (e instanceof StoreError) return jsonOk({ error: e.message }, 503);
    console.error(`[packetlens] request failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return jsonOk({ error: 'internal error: see the server log' }, 500);
  }
}

import type { z } from 'zod';
import { csrfCookie, csrfHeader } from '@/collector/dashboard/request-guard';

/**
 * The browser's side of the API: every answer is checked against the same zod schema the server
 * built it with (the wire is not trusted), and a failed request throws with the server's own message,
 * which the views show with what to do next.
 */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function serverMessage(body: unknown): string | null {
  if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string')
    return body.error;
  return null;
}

async function answer<S extends z.ZodType>(response: Response, url: string, schema: S): Promise<z.output<S>> {
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok)
    throw new ApiError(
      response.status,
      serverMessage(body) ?? `${url}: ${response.status} ${response.statusText}`,
    );
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      0,
      `${url} answered something unexpected (${issue?.path.join('.')}: ${issue?.message})`,
    );
  }
  return parsed.data;
}

export async function getJson<S extends z.ZodType>(
  url: string,
  schema: S,
  signal?: AbortSignal,
): Promise<z.output<S>> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal });
  return answer(response, url, schema);
}

function csrfToken(): string {
  for (const part of document.cookie.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === csrfCookie && v) return decodeURIComponent(v);
  }
  return '';
}

/** POSTs JSON with the CSRF token the proxy gave this browser. */
export async function postJson<S extends z.ZodType>(
  url: string,
  body: unknown,
  schema: S,
): Promise<z.output<S>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', [csrfHeader]: csrfToken() },
    body: JSON.stringify(body),
  });
  return answer(response, url, schema);
}

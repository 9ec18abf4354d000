import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { handled, HttpError, jsonBody, queryParse } from './http';
import { SubjectError } from './subjects';

const post = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Request('http://127.0.0.1/api/import', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit);

describe('jsonBody', () => {
  it('reads JSON within the limit', async () => {
    expect(await jsonBody(post('{"a":1}'), 100)).toEqual({ a: 1 });
    expect(await jsonBody(post(''), 100)).toEqual({});
  });

  it('refuses a body over the limit, declared or streamed, and one that is not JSON', async () => {
    await expect(
      jsonBody(post('x'.repeat(10), { 'content-length': String(5 * 1024 * 1024) }), 1024 * 1024),
    ).rejects.toThrow(new HttpError(413, 'the request is larger than 1 MB'));
    const chunks = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(512 * 1024).fill(32));
      },
    });
    await expect(jsonBody(post(chunks), 1024 * 1024)).rejects.toMatchObject({ status: 413 });
    await expect(jsonBody(post('{oops'), 100)).rejects.toThrow(
      new HttpError(400, 'the request body is not JSON'),
    );
  });
});

describe('queryParse and handled', () => {
  it('turns a bad query into 400 with the field, and known errors into their status', async () => {
    const schema = z.object({ page: z.coerce.number().int().positive() });
    expect(queryParse(schema, 'http://x/?page=2')).toEqual({ page: 2 });
    expect(() => queryParse(schema, 'http://x/?page=0')).toThrow(HttpError);
    const missing = await handled(() => {
      throw new SubjectError(404, 'no host named x in the store');
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no host named x in the store' });
  });
});

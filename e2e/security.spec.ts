import { request as httpRequest } from 'node:http';
import { expect, test } from './fixtures';

test('state-changing requests need the CSRF token and the same origin', async ({ request, baseURL }) => {
  const noToken = await request.post('/api/collect', { data: {} });
  expect(noToken.status()).toBe(403);
  expect((await noToken.json()).error).toBe(
    'refused: missing or wrong CSRF token; reload the page and try again',
  );

  const token = 'a'.repeat(64);
  const headers = { cookie: `packetlens-csrf=${token}`, 'x-packetlens-csrf': token };
  const crossSite = await request.post('/api/import', {
    data: {},
    headers: { ...headers, origin: 'http://evil.example' },
  });
  expect(crossSite.status()).toBe(403);
  expect((await crossSite.json()).error).toBe('refused: request from another origin (evil.example)');

  const badBody = await request.post('/api/import', {
    data: { name: '../x', files: [] },
    headers: { ...headers, origin: baseURL! },
  });
  expect(badBody.status()).toBe(400);
});

test('imports larger than the limit are refused before they are read', async ({ request }) => {
  const token = 'b'.repeat(64);
  const response = await request.post('/api/import', {
    headers: {
      cookie: `packetlens-csrf=${token}`,
      'x-packetlens-csrf': token,
      'content-type': 'application/json',
    },
    data: Buffer.alloc(51 * 1024 * 1024, 0x20),
  });
  expect(response.status()).toBe(413);
  expect((await response.json()).error).toBe('the request is larger than 50 MB');
});

test('without an access token only loopback Host names are answered', async ({ baseURL }) => {
  const url = new URL(baseURL!);
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: '/api/fleet', headers: { host: 'dashboard.example:80' } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(403);
});

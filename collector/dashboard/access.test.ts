import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { accessCheck } from './access';

const token = 'tok-0123456789abcdef';
const req = (url: string, headers: Record<string, string> = {}) =>
  new NextRequest(new URL(url), { headers: { host: new URL(url).host, ...headers } });

describe('accessCheck', () => {
  it('without a token answers loopback Host names only, and hands out the CSRF cookie', async () => {
    const ok = await accessCheck(req('http://127.0.0.1:3000/'), undefined);
    expect(ok.headers.get('x-middleware-next')).toBe('1');
    expect(ok.cookies.get('packetlens-csrf')?.value).toMatch(/^[0-9a-f]{64}$/);
    const elsewhere = await accessCheck(req('http://10.0.0.5:3000/'), undefined);
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.text()).toMatch(/set PACKETLENS_ACCESS_TOKEN on the server/);
    // A browser that has the cookie keeps it.
    const again = await accessCheck(
      req('http://localhost:3000/', { cookie: `packetlens-csrf=${'a'.repeat(64)}` }),
      undefined,
    );
    expect(again.cookies.get('packetlens-csrf')).toBeUndefined();
  });

  it('with a token asks every request for it, takes it once from the address into an HttpOnly cookie', async () => {
    expect((await accessCheck(req('http://10.0.0.5:3000/hosts/node-1'), token)).status).toBe(401);
    expect((await accessCheck(req('http://10.0.0.5:3000/?token=wrong'), token)).status).toBe(401);

    const entry = await accessCheck(req(`http://10.0.0.5:3000/hosts/node-1?token=${token}&pod=a`), token);
    expect(entry.status).toBe(307);
    expect(entry.headers.get('location')).toBe('http://10.0.0.5:3000/hosts/node-1?pod=a');
    const cookie = entry.cookies.get('packetlens-access')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.value).not.toContain(token);

    const withCookie = await accessCheck(
      req('http://10.0.0.5:3000/hosts/node-1', { cookie: `packetlens-access=${cookie.value}` }),
      token,
    );
    expect(withCookie.headers.get('x-middleware-next')).toBe('1');
    const bearer = await accessCheck(
      req('http://10.0.0.5:3000/api/fleet', { authorization: `Bearer ${token}` }),
      token,
    );
    expect(bearer.headers.get('x-middleware-next')).toBe('1');
    // Liveness stays open for monitors.
    expect(
      (await accessCheck(req('http://10.0.0.5:3000/api/health'), token)).headers.get('x-middleware-next'),
    ).toBe('1');
  });
});

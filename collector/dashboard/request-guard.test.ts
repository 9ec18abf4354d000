import { describe, expect, it } from 'vitest';
import { cookieValue, csrfRefusal, loopbackHost, secretEqual } from './request-guard';

const token = 'f'.repeat(64);
const headers = (extra: Record<string, string>) =>
  new Headers({ host: '127.0.0.1:3000', cookie: `other=1; packetlens-csrf=${token}`, ...extra });

describe('csrfRefusal', () => {
  it('lets a same-origin request with the cookie echoed in the header through', () => {
    expect(
      csrfRefusal(
        headers({
          'x-packetlens-csrf': token,
          origin: 'http://127.0.0.1:3000',
          'sec-fetch-site': 'same-origin',
        }),
      ),
    ).toBeNull();
  });

  it('refuses a missing or different token, another origin, and a cross-site fetch', () => {
    expect(csrfRefusal(headers({}))).toBe(
      'refused: missing or wrong CSRF token; reload the page and try again',
    );
    expect(csrfRefusal(headers({ 'x-packetlens-csrf': 'e'.repeat(64) }))).toMatch(/wrong CSRF token/);
    expect(csrfRefusal(headers({ 'x-packetlens-csrf': token, origin: 'http://evil.example' }))).toBe(
      'refused: request from another origin (evil.example)',
    );
    expect(csrfRefusal(headers({ 'x-packetlens-csrf': token, 'sec-fetch-site': 'cross-site' }))).toBe(
      'refused: a cross-site request may not change anything here',
    );
    // A short cookie is not one the proxy set.
    expect(csrfRefusal(new Headers({ cookie: 'packetlens-csrf=abc', 'x-packetlens-csrf': 'abc' }))).toMatch(
      /CSRF/,
    );
  });
});

describe('loopbackHost', () => {
  it('accepts loopback names with or without a port, nothing else', () => {
    for (const h of ['127.0.0.1:3000', '127.0.0.1', 'localhost:3100', '[::1]:3000', '127.1.2.3'])
      expect(loopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0:3000', 'dashboard.example', '10.0.0.1:3000', '127.0.0.1.evil.example', null]) {
      expect(loopbackHost(h)).toBe(false);
    }
  });
});

describe('cookies and secrets', () => {
  it('reads a cookie by name and compares secrets whole', () => {
    expect(cookieValue('a=1; packetlens-access=x%3Dy', 'packetlens-access')).toBe('x=y');
    expect(cookieValue('a=1', 'b')).toBeNull();
    expect(secretEqual('abc', 'abc')).toBe(true);
    expect(secretEqual('abc', 'abd')).toBe(false);
    expect(secretEqual('abc', 'abcd')).toBe(false);
  });
});

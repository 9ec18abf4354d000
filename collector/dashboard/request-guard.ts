/**
 * Checks on requests that change state (collect, import): a CSRF token (double-submit: the cookie the
 * proxy sets must come back in a header, which another site's page cannot read nor send) and the
 * browser's own same-origin signals; and bounded bodies. Pure string work, used by proxy.ts too.
 */

export const csrfCookie = 'packetlens-csrf';
export const csrfHeader = 'x-packetlens-csrf';
export const accessCookie = 'packetlens-access';

/** Compares without stopping at the first difference, so timing tells nothing about the secret. */
export function secretEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

export function cookieValue(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/** Why a state-changing request is refused, or null when it may go on. */
export function csrfRefusal(headers: Headers): string | null {
  const site = headers.get('sec-fetch-site');
  if (site && site !== 'same-origin') return `refused: a ${site} request may not change anything here`;
  const origin = headers.get('origin');
  const host = headers.get('host');
  if (origin && host && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return 'refused: unreadable Origin header';
    }
    if (originHost !== host) return `refused: request from another origin (${originHost})`;
  }
  const cookie = cookieValue(headers.get('cookie'), csrfCookie);
  const header = headers.get(csrfHeader);
  if (!cookie || cookie.length < 32 || !header || !secretEqual(cookie, header)) {
    return 'refused: missing or wrong CSRF token; reload the page and try again';
  }
  return null;
}

/** Host headers a server without an access token answers: loopback names only. */
export function loopbackHost(host: string | null): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

import { NextResponse, type NextRequest } from 'next/server';
import { accessCookie, cookieValue, csrfCookie, loopbackHost, secretEqual } from './request-guard';

/**
 * Every request passes here first. Without PACKETLENS_ACCESS_TOKEN the dashboard answers only to
 * loopback Host names (it binds to 127.0.0.1; this also stops DNS-rebinding pages); with it, every
 * request must carry the token (once as `?token=`, which sets an HttpOnly cookie, or as
 * `Authorization: Bearer`). It also hands each browser the CSRF cookie that POSTs must echo.
 */

const sha256 = async (text: string) => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
};

function refusal(status: number, message: string): NextResponse {
  return new NextResponse(`packetlens: ${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

function csrfCookieEnsure(request: NextRequest, response: NextResponse): NextResponse {
  if (!cookieValue(request.headers.get('cookie'), csrfCookie)) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const value = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    response.cookies.set(csrfCookie, value, { sameSite: 'strict', path: '/', httpOnly: false });
  }
  return response;
}

export async function accessCheck(
  request: NextRequest,
  token: string | undefined = process.env.PACKETLENS_ACCESS_TOKEN,
): Promise<NextResponse> {
  const { pathname, searchParams } = request.nextUrl;
  if (pathname === '/api/health') return NextResponse.next();
  if (!token) {
    if (!loopbackHost(request.headers.get('host'))) {
      return refusal(
        403,
        'without an access token this dashboard answers only on 127.0.0.1 and localhost; ' +
          'set PACKETLENS_ACCESS_TOKEN on the server to serve it on other addresses (see the README)',
      );
    }
    return csrfCookieEnsure(request, NextResponse.next());
  }

  const expected = await sha256(token);
  const given = searchParams.get('token');
  if (given !== null) {
    if (!secretEqual(given, token)) return refusal(401, 'wrong access token');
    // Take the token out of the address bar (and out of history and logs) and keep it in a cookie.
    const clean = request.nextUrl.clone();
    clean.searchParams.delete('token');
    const response = NextResponse.redirect(clean);
    response.cookies.set(accessCookie, expected, { sameSite: 'strict', path: '/', httpOnly: true });
    return csrfCookieEnsure(request, response);
  }
  const cookie = cookieValue(request.headers.get('cookie'), accessCookie);
  const bearer = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? null;
  const allowed =
    (cookie !== null && secretEqual(cookie, expected)) || (bearer !== null && secretEqual(bearer, token));
  if (!allowed) {
    return refusal(
      401,
      'access token required: open this address with ?token=TOKEN (PACKETLENS_ACCESS_TOKEN of the server)',
    );
  }
  return csrfCookieEnsure(request, NextResponse.next());
}

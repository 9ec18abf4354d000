import type { NextRequest, NextResponse } from 'next/server';
import { accessCheck } from './collector/dashboard/access';

// Access token, loopback-only Host names and the CSRF cookie: see collector/dashboard/access.ts.
export function proxy(request: NextRequest): Promise<NextResponse> {
  return accessCheck(request);
}

export const config = {
  // Static build output carries no data; everything else is checked.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg).*)'],
};

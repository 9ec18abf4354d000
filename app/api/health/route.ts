// Liveness for scripts and e2e: answers without touching the store or any host.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ ok: true });
}

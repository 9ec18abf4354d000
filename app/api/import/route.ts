import { csrfCheck, handled, HttpError, jsonBody, jsonOk, zodMessage } from '@/collector/dashboard/http';
import { importDump, importsList } from '@/collector/dashboard/imports';
import { dashboard } from '@/collector/dashboard/runtime';
import { importBytesMax, ImportRequest } from '@/lib/views/import-payload';

export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return handled(async () => jsonOk(importsList(await dashboard())));
}

/**
 * Imports dumps as one snapshot. A dump that does not parse is an answer, not a failed request:
 * `{ ok: false, error }` with its file, line and column.
 */
export function POST(request: Request): Promise<Response> {
  return handled(async () => {
    csrfCheck(request);
    const parsed = ImportRequest.safeParse(await jsonBody(request, importBytesMax));
    if (!parsed.success) throw new HttpError(400, zodMessage(parsed.error));
    const result = importDump(await dashboard(), parsed.data);
    return jsonOk(result, result.ok ? 201 : 200);
  });
}

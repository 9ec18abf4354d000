import { queryParse } from '@/collector/dashboard/http';
import { subjectGet } from '@/collector/dashboard/routes';
import { setListOf } from '@/collector/dashboard/views';
import { z } from 'zod';

export const dynamic = 'force-dynamic';

const Query = z.object({ table: z.string().max(300) });

export const GET = subjectGet((d, subject, url) => setListOf(d, subject, queryParse(Query, url).table));

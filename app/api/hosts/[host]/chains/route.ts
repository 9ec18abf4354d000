import { queryParse } from '@/collector/dashboard/http';
import { subjectGet } from '@/collector/dashboard/routes';
import { ChainsQuery, chainsOf } from '@/collector/dashboard/views';

export const dynamic = 'force-dynamic';

export const GET = subjectGet((d, subject, url) => chainsOf(d, subject, queryParse(ChainsQuery, url)));

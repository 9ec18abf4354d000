import { queryParse } from '@/collector/dashboard/http';
import { subjectGet } from '@/collector/dashboard/routes';
import { RulesQuery, rulesOf } from '@/collector/dashboard/views';

export const dynamic = 'force-dynamic';

export const GET = subjectGet((d, subject, url) => rulesOf(d, subject, queryParse(RulesQuery, url)));

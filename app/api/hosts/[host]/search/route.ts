import { queryParse } from '@/collector/dashboard/http';
import { subjectGet } from '@/collector/dashboard/routes';
import { searchOf } from '@/collector/dashboard/views';
import { SearchRequest } from '@/lib/views/rule-search';

export const dynamic = 'force-dynamic';

export const GET = subjectGet((d, subject, url) => searchOf(d, subject, queryParse(SearchRequest, url)));

import { queryParse } from '@/collector/dashboard/http';
import { subjectGet } from '@/collector/dashboard/routes';
import { SetElementsQuery, setElementsOf } from '@/collector/dashboard/views';

export const dynamic = 'force-dynamic';

export const GET = subjectGet((d, subject, url) =>
  setElementsOf(d, subject, queryParse(SetElementsQuery, url)),
);

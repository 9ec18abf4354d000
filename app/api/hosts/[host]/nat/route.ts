import { queryParse } from '@/collector/dashboard/http';
import { natOf } from '@/collector/dashboard/nat';
import { subjectGet } from '@/collector/dashboard/routes';
import { NatQuery } from '@/lib/views/nat-payload';

export const dynamic = 'force-dynamic';

export const GET = subjectGet((d, subject, url) => natOf(d, subject, queryParse(NatQuery, url)));

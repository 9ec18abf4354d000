import { subjectGet } from '@/collector/dashboard/routes';
import { overviewOf } from '@/collector/dashboard/views';

export const dynamic = 'force-dynamic';

export const GET = subjectGet((d, subject) => overviewOf(d, subject));

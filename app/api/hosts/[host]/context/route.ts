import { subjectGet } from '@/collector/dashboard/routes';
import { chainsContextOf } from '@/collector/dashboard/views';

export const dynamic = 'force-dynamic';

export const GET = subjectGet((d, subject) => chainsContextOf(d, subject));

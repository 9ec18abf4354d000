import { subjectGet } from '@/collector/dashboard/routes';
import { warningsBriefOf } from '@/collector/dashboard/warnings';

export const dynamic = 'force-dynamic';

/** The host overview's short warning list; warnings are of the host's own namespace, also for a pod. */
export const GET = subjectGet((d, subject) => warningsBriefOf(d, subject.host));

import type { CalibrationNote } from '@/lib/views/warnings-schema';
import { timeText } from '@/lib/views/format';

/** Which iptables-restore timings the restore-time warnings rest on, as the CLI says it. */
export function CalibrationNoteView({ note }: { note: CalibrationNote }) {
  const c = note.calibration;
  return (
    <div className="calibration-note">
      <p>
        Restore times from{' '}
        {c.origin === 'measured' ? (
          <>
            a measurement of <time dateTime={c.measuredAt ?? undefined}>{timeText(c.measuredAt)}</time> (
            <code>{note.file}</code>, written by <code>npm run bench:analyze</code>)
          </>
        ) : (
          <>
            packetlens&apos; default (the figures of shared/docs/SCALING.md; run{' '}
            <code>npm run bench:analyze</code> to measure this machine)
          </>
        )}
        : {c.machine}; {c.method}; seconds = {c.model.coefficient.toPrecision(4)} × rules
        <sup>{c.model.exponent.toFixed(3)}</sup>.
      </p>
      {note.problem && (
        <p role="alert" className="warning-text">
          The calibration file was not used: {note.problem}. Fix or remove it; until then the default applies.
        </p>
      )}
    </div>
  );
}

import { plural } from '@/lib/views/format';
import type { GrowthView } from '@/lib/views/warnings-schema';
import { GrowthChart } from './growth-chart';

/** The growth charts of a host or a cluster. */
export function GrowthSection({ growth }: { growth: GrowthView }) {
  const collections = Math.max(0, ...growth.series.map((s) => s.collections));
  return (
    <section aria-labelledby="growth-heading" className="host-section">
      <h2 id="growth-heading">Growth</h2>
      <p className="muted">
        {growth.group
          ? `The largest value among the ${plural(growth.hosts.length, 'host')} at each collection run (thresholds hold per host), over ${plural(collections, 'run')}.`
          : `Over ${plural(collections, 'stored collection')}.`}{' '}
        Threshold lines show the levels crossed and the next one; rates are least squares over every
        collection.
      </p>
      {growth.series.length === 0 ? (
        <p className="empty-state">No collection with statistics is stored yet: collect the host first.</p>
      ) : (
        <div className="growth-charts">
          {growth.series.map((s) => (
            <GrowthChart key={s.metric} series={s} subject={growth.subject} />
          ))}
        </div>
      )}
    </section>
  );
}

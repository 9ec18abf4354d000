import Link from 'next/link';
import type { FleetHost } from '@/lib/views/fleet';
import { countText, timeText } from '@/lib/views/format';
import { hostHref } from '@/lib/views/urls';
import { ScrollRegion } from '../scroll-region';
import { testIds } from '../test-ids';
import { GrowthSparkline } from './growth-sparkline';
import { StateBadge } from './state-badge';
import { WarningBadgesSlot } from './warning-badges-slot';

function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return null;
  return (
    <ul className="labels" aria-label="Labels">
      {entries.map(([k, v]) => (
        <li key={k} className="label">
          {k}={v}
        </li>
      ))}
    </ul>
  );
}

/** Hosts with their pods right under them; everything a host said is text, never markup. */
export function HostTable({
  hosts,
  caption,
  testId,
}: {
  hosts: readonly FleetHost[];
  caption: string;
  testId: string;
}) {
  return (
    <ScrollRegion label={caption}>
      <table className="data-table fleet-table" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">State</th>
            <th scope="col">Last collection</th>
            <th scope="col" className="num">
              Rules
            </th>
            <th scope="col" className="num">
              Chains
            </th>
            <th scope="col">Growth</th>
            <th scope="col">Warnings</th>
          </tr>
        </thead>
        <tbody>
          {hosts.flatMap((h) => [
            <tr key={h.name} data-testid={testIds.fleetHost} data-host={h.name}>
              <th scope="row">
                {h.rules !== null ? (
                  <Link href={hostHref({ host: h.name, pod: null, snapshot: null })}>{h.name}</Link>
                ) : (
                  h.name
                )}
                {h.address && <span className="muted fleet-table__address"> {h.address}</span>}
                <Labels labels={h.labels} />
              </th>
              <td>
                <StateBadge state={h.state} />
              </td>
              <td>
                {h.lastSeen ? <time dateTime={h.lastSeen}>{timeText(h.lastSeen)}</time> : 'never'}
                {h.lastFailureAt && h.state.state !== 'fresh' && (
                  <div className="muted">
                    failed <time dateTime={h.lastFailureAt}>{timeText(h.lastFailureAt)}</time>
                  </div>
                )}
              </td>
              <td className="num">{h.rules === null ? '—' : countText(h.rules)}</td>
              <td className="num">{h.chains === null ? '—' : countText(h.chains)}</td>
              <td>
                <GrowthSparkline points={h.growth} collections={h.collections} />
              </td>
              <td>
                <WarningBadgesSlot host={h.name} warnings={h.warnings} />
              </td>
            </tr>,
            ...h.pods.map((p) => (
              <tr
                key={`${h.name}/${p.name}`}
                className="fleet-table__pod"
                data-testid={testIds.fleetPod}
                data-pod={p.name}
                data-host={h.name}
              >
                <th scope="row">
                  <span className="fleet-table__pod-mark" aria-hidden="true">
                    └
                  </span>{' '}
                  <Link href={hostHref({ host: h.name, pod: p.name, snapshot: null })}>{p.name}</Link>
                  <span className="muted"> pod of {h.name}</span>
                </th>
                <td colSpan={2} className="mono">
                  {p.addresses.join(', ') || <span className="muted">no addresses</span>}
                </td>
                <td className="num">
                  {p.rules === null ? <span className="muted">not collected</span> : countText(p.rules)}
                </td>
                <td colSpan={3} />
              </tr>
            )),
          ])}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

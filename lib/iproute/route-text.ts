import type { Route } from '../model/iproute';

/** One line per route, for the diff's listings: `ip table main unicast 10.0.0.0/24 from 10.0.0.5 via 10.0.0.1 dev eth0 metric 100`. */
export function routeText(r: Route): string {
  return (
    `${r.family} table ${r.table} ${r.type} ${r.dstText}` +
    (r.src ? ` from ${r.src}` : '') +
    (r.gateway ? ` via ${r.gateway}` : '') +
    (r.dev ? ` dev ${r.dev}` : '') +
    (r.metric !== null ? ` metric ${r.metric}` : '')
  );
}

// The iproute2 JSON readers in one place: one module per command, re-exported for callers.
export type { IpJsonKind } from './detect-kind';
export { detectIpJsonKind } from './detect-kind';
export type { ParseIpAddrOptions } from './parse-addr';
export { parseIpAddr } from './parse-addr';
export type { ParseIpLinkOptions } from './parse-link';
export { parseIpLink } from './parse-link';
export type { ParseIpNeighOptions } from './parse-neigh';
export { parseIpNeigh } from './parse-neigh';
export type { ParseIpRouteOptions } from './parse-route';
export { parseIpRoute } from './parse-route';
export type { ParseIpRuleOptions } from './parse-rule';
export { parseIpRule } from './parse-rule';

/** Which `ip -j` command printed a parsed JSON value. */
export type IpJsonKind = 'link' | 'addr' | 'route' | 'rule' | 'neigh';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Tells from the first non-empty element which command printed the array: addresses carry
 * `addr_info`, links `ifname` and `link_type`, routes `dst` and a `flags` array, rules `priority`,
 * neighbours `dst` with `state` or `lladdr`. Null for an empty array and for anything else, which
 * then is not `ip -j` output (or a kind packetlens does not read).
 */
export function detectIpJsonKind(value: unknown): IpJsonKind | null {
  if (!Array.isArray(value)) return null;
  const first: unknown = value.find((v) => !isObject(v) || Object.keys(v).length > 0);
  if (!isObject(first)) return null;
  if ('addr_info' in first) return 'addr';
  if ('ifname' in first && 'link_type' in first) return 'link';
  if ('priority' in first) return 'rule';
  if ('dst' in first && Array.isArray(first.flags)) return 'route';
  if ('dst' in first && ('state' in first || 'lladdr' in first)) return 'neigh';
  return null;
}

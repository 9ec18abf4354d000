import type { IpFamily } from '../model/common';
import type { Address } from '../model/iproute';
import { quoteForError } from '../parse/parse-error';
import { addressFamily, familyBits } from './address-text';
import type { IpJsonSource } from './ip-json';
import { ipJsonArray, ipJsonCheck, ipJsonFail } from './ip-json';
import { RawAddrInfo, RawAddrLink } from './raw-shapes';

export interface ParseIpAddrOptions {
  /** Named in every error. */
  file: string;
}

/** Keys of an addr_info entry that are values, not flags; every other key set to true is a flag. */
const notFlags = new Set([
  'family',
  'local',
  'address',
  'prefixlen',
  'broadcast',
  'anycast',
  'scope',
  'label',
  'deleted',
]);

/**
 * Reads `ip -j addr` (also `-4`/`-6`), one Address per entry of each link's `addr_info`. Skips what
 * is not an IP address: the `{}` placeholders some iproute2 versions print for filtered-out links,
 * and entries of other families. Throws only ParseError.
 */
export function parseIpAddr(text: string, opts: ParseIpAddrOptions): Address[] {
  const src: IpJsonSource = { text, file: opts.file, what: 'the JSON array `ip -j addr` prints' };
  const out: Address[] = [];
  ipJsonArray(src).forEach((value, index) => {
    if (isEmptyObject(value)) return;
    const link = ipJsonCheck(src, RawAddrLink, value, [index]);
    link.addr_info.forEach((entry, i) => {
      if (isEmptyObject(entry)) return;
      const path = [index, 'addr_info', i];
      const a = ipJsonCheck(src, RawAddrInfo, entry, path);
      const family: IpFamily | null = a.family === 'inet' ? 'ip' : a.family === 'inet6' ? 'ip6' : null;
      if (!family) return;
      for (const key of ['local', 'address', 'broadcast'] as const) {
        const text = a[key];
        if (text !== undefined && addressFamily(text) !== family) {
          ipJsonFail(src, [...path, key], `expected an ${a.family} address, got ${quoteForError(text)}`);
        }
      }
      if (a.prefixlen > familyBits(family)) {
        ipJsonFail(src, [...path, 'prefixlen'], `expected a prefix length of at most ${familyBits(family)}`);
      }
      out.push({
        ifindex: link.ifindex,
        ifname: link.ifname,
        family,
        local: a.local,
        prefixlen: a.prefixlen,
        scope: a.scope,
        broadcast: a.broadcast ?? null,
        peer: a.address ?? null,
        label: a.label ?? null,
        flags: Object.keys(a).filter((k) => !notFlags.has(k) && a[k] === true),
      });
    });
  });
  return out;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

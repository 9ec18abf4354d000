import type { IpFamily } from '../model/common';
import { quoteForError } from '../parse/parse-error';
import { addressFamily } from './address-text';
import type { IpJsonSource } from './ip-json';
import { ipJsonFail } from './ip-json';
import type { JsonPath } from '../parse/json-text';

/** An address field of one entry, for telling the entry's family. */
export interface AddressField {
  path: JsonPath;
  text: string;
}

function familyName(family: IpFamily): string {
  return family === 'ip' ? 'IPv4' : 'IPv6';
}

/**
 * The family the address fields of one entry agree on, or null when it has none. A field that is
 * not an address, or of the other family, is a located ParseError.
 */
export function entryFamily(src: IpJsonSource, fields: readonly AddressField[]): IpFamily | null {
  let family: IpFamily | null = null;
  for (const { path, text } of fields) {
    const f = addressFamily(text);
    if (!f) ipJsonFail(src, path, `expected an IP address, got ${quoteForError(text)}`);
    if (family && f !== family) {
      ipJsonFail(
        src,
        path,
        `expected an ${familyName(family)} address like the rest of the entry, got ${quoteForError(text)}`,
      );
    }
    family ??= f;
  }
  return family;
}

/**
 * The family of an entry whose fields do not tell (a default route without gateway, `from all`):
 * the one family the other entries of the file show; when they show none (or both), the caller's
 * hint; without a hint, IPv4, as `ip route` and `ip rule` list IPv4 unless given `-6`.
 */
export function fallbackFamily(seen: ReadonlySet<IpFamily>, hint: IpFamily | undefined): IpFamily {
  if (seen.size === 1) return seen.has('ip6') ? 'ip6' : 'ip';
  return hint ?? 'ip';
}

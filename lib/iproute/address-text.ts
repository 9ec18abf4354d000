import ipaddr from 'ipaddr.js';
import type { IpFamily } from '../model/common';

// Address text as iproute2 prints it (inet_ntop): dotted quad or RFC 5952 IPv6, checked with ipaddr.js.

/** The family of an address, or null when the text is not one. */
export function addressFamily(text: string): IpFamily | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return 'ip';
  if (!text.includes('%') && ipaddr.IPv6.isValid(text)) return 'ip6';
  return null;
}

export function familyBits(family: IpFamily): number {
  return family === 'ip' ? 32 : 128;
}

/** The all-zero address iproute2 writes as `default`, `all` or `0`. */
export function familyZero(family: IpFamily): string {
  return family === 'ip' ? '0.0.0.0' : '::';
}

/** A prefix as iproute2 prints a route destination: `default`, `0/8`, `10.0.0.1` or `10.0.0.0/24`. */
export interface PrefixText {
  /** Null for `default` and `0/len`, whose family only the context tells. */
  address: string | null;
  family: IpFamily | null;
  /** Null when the text has no `/len`: a host prefix. */
  len: number | null;
}

/** Splits iproute2 prefix text; null when it is not one. */
export function prefixTextParse(text: string): PrefixText | null {
  if (text === 'default') return { address: null, family: null, len: 0 };
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  let len: number | null = null;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return null;
    len = Number(lenText);
  }
  if (addr === '0' && len !== null) return { address: null, family: null, len };
  const family = addressFamily(addr);
  if (!family || (len !== null && len > familyBits(family))) return null;
  return { address: addr, family, len };
}

/** `address/len`, with the host length when len is null and the zero address when address is null. */
export function cidrText(family: IpFamily, address: string | null, len: number | null): string {
  return `${address ?? familyZero(family)}/${len ?? familyBits(family)}`;
}

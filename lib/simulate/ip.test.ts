import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { ipParse, ipText, prefixParse } from './ip';

/**
 * Dotted quads are read by hand (cheaper than a cache of 100,000 addresses): they must be read
 * exactly as ipaddr.js's isValidFourPartDecimal, which decided before, accepts them.
 */

const v4Cases = [
  '1.2.3.4',
  '0.0.0.0',
  '255.255.255.255',
  '10.0.0.10',
  '9.99.199.250',
  '256.1.1.1',
  '1.2.3.256',
  '01.2.3.4',
  '1.2.3.04',
  '00.0.0.0',
  '192.168.000.1',
  '1.2.3',
  '1.2.3.4.5',
  '1..2.3',
  '.1.2.3',
  '1.2.3.',
  ' 1.2.3.4',
  '1.2.3.4 ',
  '+1.2.3.4',
  '1e1.2.3.4',
  '0x1.2.3.4',
  '1.2.3.4/32',
  '',
];

function ipaddrValue(text: string): bigint {
  return BigInt(
    ipaddr.IPv4.parse(text)
      .toByteArray()
      .reduce((a, b) => a * 256 + b, 0),
  );
}

describe('ipParse of dotted quads', () => {
  it.each(v4Cases)('reads %j as ipaddr.js does', (text) => {
    const ip = ipParse(text);
    if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
      expect(ip).toMatchObject({ family: 'ip', value: ipaddrValue(text) });
      expect(ipText(ip!)).toBe(text);
    } else expect(ip?.family).not.toBe('ip');
  });

  it('agrees with ipaddr.js on generated near-addresses', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 4000; i++) {
      const parts = Array.from({ length: 3 + next(3) }, () =>
        next(10) === 0 ? `0${next(30)}` : String(next(300)),
      );
      const text = parts.join('.');
      const ip = ipParse(text);
      if (ipaddr.IPv4.isValidFourPartDecimal(text)) expect(ip?.value).toBe(ipaddrValue(text));
      else expect(ip).toBeNull();
    }
  });

  it('still reads IPv6, and prefixes with plain and dotted masks', () => {
    expect(ipParse('fd00::1')).toMatchObject({ family: 'ip6', value: (0xfd00n << 112n) | 1n });
    expect(prefixParse('10.1.2.3/8')).toEqual({ family: 'ip', value: 0x0a000000n, len: 8 });
    expect(prefixParse('10.1.2.3/08')).toEqual({ family: 'ip', value: 0x0a000000n, len: 8 });
    expect(prefixParse('10.1.2.3')).toEqual({ family: 'ip', value: 0x0a010203n, len: 32 });
    expect(prefixParse('10.1.2.3/255.255.0.0')).toEqual({ family: 'ip', value: 0x0a010000n, len: 16 });
    expect(prefixParse('10.1.2.3/33')).toBeNull();
    expect(prefixParse('10.1.2.3/255.0.255.0')).toBeNull();
    expect(prefixParse('all', 'ip')).toEqual({ family: 'ip', value: 0n, len: 0 });
  });
});

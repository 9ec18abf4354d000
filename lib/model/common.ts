import { z } from 'zod';

/**
 * A packet or byte counter. Kept as a number while it is exact in JavaScript; past 2^53 (9 PB of
 * bytes) it stays the decimal string the kernel tool printed, so no digit is lost.
 */
export const CounterValue = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{16,20}$/)]);
export type CounterValue = z.infer<typeof CounterValue>;

export const Counters = z.object({ packets: CounterValue, bytes: CounterValue });
export type Counters = z.infer<typeof Counters>;

/** Address family of an iptables dump: iptables-save is `ip`, ip6tables-save is `ip6`. */
export const IpFamily = z.enum(['ip', 'ip6']);
export type IpFamily = z.infer<typeof IpFamily>;

/** Where a section of a snapshot came from: a file given to `import`, or a command the collector ran. */
export const Source = z.object({
  /** File path or command line. */
  origin: z.string(),
  /** Detected format, e.g. `iptables-save`, `nft-json`, `ip-route`. */
  format: z.string(),
});
export type Source = z.infer<typeof Source>;

export function counterFromDecimal(text: string): CounterValue {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text.replace(/^0+(?=\d)/, '');
}

import { z } from 'zod';
import { CounterValue } from './common';

/**
 * The ipset model: each set as `ipset save` wrote it, with its create options and members. Options
 * packetlens does not know are kept verbatim in `extra`, so nothing the kernel holds is dropped.
 */

export const IpSetOptions = z.object({
  hashsize: z.number().int().positive().nullable(),
  maxelem: z.number().int().positive().nullable(),
  bucketsize: z.number().int().positive().nullable(),
  /** Hash seed as written, e.g. `0x1a2b3c4d`. */
  initval: z.string().nullable(),
  /** Default member timeout in seconds; set means members expire. */
  timeout: z.number().int().nonnegative().nullable(),
  /** Members carry packet and byte counters. */
  counters: z.boolean(),
  /** Members may carry a comment. */
  comment: z.boolean(),
  /** Members may carry skbmark / skbprio / skbqueue. */
  skbinfo: z.boolean(),
  /** A full set evicts a random member instead of refusing the add. */
  forceadd: z.boolean(),
  /** Prefix length members are masked to (hash:ip, bitmap:ip). */
  netmask: z.number().int().nonnegative().nullable(),
  /** `markmask` of hash:*,mark sets, as written. */
  markmask: z.string().nullable(),
  /** `range` of bitmap sets as written: `1024-2048`, `10.0.0.0/16`, `10.0.0.0-10.0.0.255`. */
  range: z.string().nullable(),
  /** `size` of a list:set. */
  size: z.number().int().positive().nullable(),
  /** Tokens from the first option packetlens does not know, verbatim. */
  extra: z.array(z.string()),
});
export type IpSetOptions = z.infer<typeof IpSetOptions>;

export const IpSetMember = z.object({
  /** The element exactly as written: `10.0.0.1`, `10.0.0.0/8`, `10.0.0.1,tcp:80`, a set name. */
  text: z.string(),
  /** 1-based line of its `add` in the dump. */
  line: z.number().int().positive(),
  /** Seconds left before it expires. */
  timeout: z.number().int().nonnegative().nullable(),
  /** An exception: a packet matching it does not match the set (hash:net and friends). */
  nomatch: z.boolean(),
  comment: z.string().nullable(),
  packets: CounterValue.nullable(),
  bytes: CounterValue.nullable(),
  /** `skbmark` as written, e.g. `0x10/0xff`. */
  skbmark: z.string().nullable(),
  /** `skbprio` as written, e.g. `1:10`. */
  skbprio: z.string().nullable(),
  skbqueue: z.number().int().nonnegative().nullable(),
  /** Tokens from the first option packetlens does not know, verbatim. */
  extra: z.array(z.string()),
});
export type IpSetMember = z.infer<typeof IpSetMember>;

export const IpSet = z.object({
  name: z.string(),
  /** Set type as written: `hash:ip`, `hash:net`, `hash:ip,port`, `bitmap:port`, `list:set`, ... */
  type: z.string(),
  /** `inet` or `inet6`; null for types that have no family (bitmap:port, list:set, hash:mac). */
  family: z.enum(['inet', 'inet6']).nullable(),
  /** 1-based line of its `create` in the dump. */
  line: z.number().int().positive(),
  options: IpSetOptions,
  members: z.array(IpSetMember),
});
export type IpSet = z.infer<typeof IpSet>;

import { z } from 'zod';
import { CounterValue } from './common';

/**
 * The faithful nftables model: what `nft -j list ruleset` printed (libnftables JSON, see
 * libnftables-json(5)), table by table, chain by chain, rule by rule. Statements and expressions keep
 * libnftables' own shapes as tagged unions on `kind`; anything packetlens does not model is kept as
 * `{ kind: 'unknown', raw }`, so nothing the kernel holds is dropped.
 */

export const NftFamily = z.enum(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev']);
export type NftFamily = z.infer<typeof NftFamily>;

/** A JSON value exactly as nft printed it, for constructs packetlens keeps without interpreting. */
export const NftRaw = z.json();
export type NftRaw = z.infer<typeof NftRaw>;

export const NftVerdictName = z.enum(['accept', 'drop', 'continue', 'return', 'jump', 'goto', 'queue']);
export type NftVerdictName = z.infer<typeof NftVerdictName>;

export const NftBinopOp = z.enum(['&', '|', '^', '<<', '>>']);
export type NftBinopOp = z.infer<typeof NftBinopOp>;

/**
 * Relational operators. `in` is nft's implicit operator (for flags, "any of these is set"; else
 * equality) and `!` tests that none of the flags is set (`tcp flags ! syn,ack`).
 */
export const NftMatchOp = z.enum(['==', '!=', '<', '>', '<=', '>=', 'in', '!']);
export type NftMatchOp = z.infer<typeof NftMatchOp>;

const CounterPair = z.object({ packets: CounterValue, bytes: CounterValue });

// ---------------------------------------------------------------------------------------------
// Expressions

/** A constant as JSON wrote it: addresses, symbols (`tcp`, `established`) and names are strings. */
export const NftImmediateExpr = z.object({
  kind: z.literal('immediate'),
  value: z.union([z.string(), z.number(), z.boolean()]),
});

/** The `*` catch-all of a map or set. */
export const NftWildcardExpr = z.object({ kind: z.literal('wildcard') });

/** A plain JSON array: a list of flags such as `established,related`. */
export const NftListExpr = z.object({
  kind: z.literal('list'),
  get items() {
    return z.array(NftExpr);
  },
});

/** `@name`: a named set or map of the same table. */
export const NftSetRefExpr = z.object({
  kind: z.literal('setref'),
  /** The set name, without the `@`. */
  name: z.string(),
});

/** A named header field, e.g. `ip saddr`, `tcp dport`, `th dport`. */
export const NftPayloadExpr = z.object({
  kind: z.literal('payload'),
  protocol: z.string(),
  field: z.string(),
});

/** A raw payload reference `@base,offset,len` (bits), printed when no named field matches. */
export const NftRawPayloadExpr = z.object({
  kind: z.literal('rawPayload'),
  /** `ll`, `nh`, `th` or `ih`. */
  base: z.string(),
  offset: z.number(),
  len: z.number(),
});

export const NftMetaExpr = z.object({ kind: z.literal('meta'), key: z.string() });

export const NftCtExpr = z.object({
  kind: z.literal('ct'),
  /** As nft spells it, e.g. `state`, `mark`, `ip saddr`, `proto-dst`. */
  key: z.string(),
  dir: z.enum(['original', 'reply']).nullable(),
  family: z.enum(['ip', 'ip6']).nullable(),
});

export const NftFibExpr = z.object({
  kind: z.literal('fib'),
  /** `oif`, `oifname` or `type`. */
  result: z.string(),
  /** Lookup inputs in nft's order: `saddr`, `daddr`, `mark`, `iif`, `oif`. */
  flags: z.array(z.string()),
});

export const NftNumgenExpr = z.object({
  kind: z.literal('numgen'),
  mode: z.string(),
  mod: z.number(),
  offset: z.number(),
});

export const NftJhashExpr = z.object({
  kind: z.literal('jhash'),
  mod: z.number(),
  offset: z.number(),
  seed: z.number().nullable(),
  get expr() {
    return NftExpr;
  },
});

export const NftSymhashExpr = z.object({ kind: z.literal('symhash'), mod: z.number(), offset: z.number() });

export const NftBinopExpr = z.object({
  kind: z.literal('binop'),
  op: NftBinopOp,
  get left() {
    return NftExpr;
  },
  get right() {
    return NftExpr;
  },
});

export const NftPrefixExpr = z.object({
  kind: z.literal('prefix'),
  get addr() {
    return NftExpr;
  },
  len: z.number(),
});

export const NftRangeExpr = z.object({
  kind: z.literal('range'),
  get low() {
    return NftExpr;
  },
  get high() {
    return NftExpr;
  },
});

/** An anonymous set `{ a, b }`; in a map its elements are `mapping`s. */
export const NftSetExpr = z.object({
  kind: z.literal('set'),
  get elements() {
    return z.array(NftExpr);
  },
});

/** One `key : value` pair of a map. */
export const NftMappingExpr = z.object({
  kind: z.literal('mapping'),
  get key() {
    return NftExpr;
  },
  get value() {
    return NftExpr;
  },
});

export const NftConcatExpr = z.object({
  kind: z.literal('concat'),
  get items() {
    return z.array(NftExpr);
  },
});

/** A map lookup `key map data`; data is a set reference or an anonymous set of mappings. */
export const NftMapExpr = z.object({
  kind: z.literal('map'),
  get key() {
    return NftExpr;
  },
  get data() {
    return NftExpr;
  },
});

/** A verdict used as data, in a verdict map. */
export const NftVerdictExpr = z.object({
  kind: z.literal('verdict'),
  verdict: NftVerdictName,
  target: z.string().optional(),
});

/** A set element with attributes. */
export const NftElemExpr = z.object({
  kind: z.literal('elem'),
  get value() {
    return NftExpr;
  },
  /** Seconds. */
  timeout: z.number().nullable(),
  /** Seconds left before the element expires, when the dump was taken. */
  expires: z.number().nullable(),
  comment: z.string().nullable(),
  counter: CounterPair.nullable(),
});

export const NftSocketExpr = z.object({ kind: z.literal('socket'), key: z.string() });

export const NftOsfExpr = z.object({
  kind: z.literal('osf'),
  key: z.string(),
  ttl: z.string().nullable(),
});

export const NftRtExpr = z.object({
  kind: z.literal('rt'),
  key: z.string(),
  family: z.string().nullable(),
});

/** An IPv6 extension header field; no field means a presence test. */
export const NftExthdrExpr = z.object({
  kind: z.literal('exthdr'),
  name: z.string(),
  field: z.string().nullable(),
  offset: z.number().nullable(),
});

export const NftTcpOptionExpr = z.object({
  kind: z.literal('tcpOption'),
  name: z.string(),
  field: z.string().nullable(),
});

export const NftIpOptionExpr = z.object({
  kind: z.literal('ipOption'),
  name: z.string(),
  field: z.string().nullable(),
});

export const NftSctpChunkExpr = z.object({
  kind: z.literal('sctpChunk'),
  name: z.string(),
  field: z.string().nullable(),
});

/** IPsec (xfrm) state of the packet, `ipsec in reqid`. */
export const NftIpsecExpr = z.object({
  kind: z.literal('ipsec'),
  key: z.string(),
  dir: z.string(),
  spnum: z.number(),
  family: z.string().nullable(),
});

/** An expression packetlens does not model, exactly as JSON held it. */
export const NftUnknownExpr = z.object({ kind: z.literal('unknown'), raw: NftRaw });

export const NftExpr = z.discriminatedUnion('kind', [
  NftImmediateExpr,
  NftWildcardExpr,
  NftListExpr,
  NftSetRefExpr,
  NftPayloadExpr,
  NftRawPayloadExpr,
  NftMetaExpr,
  NftCtExpr,
  NftFibExpr,
  NftNumgenExpr,
  NftJhashExpr,
  NftSymhashExpr,
  NftBinopExpr,
  NftPrefixExpr,
  NftRangeExpr,
  NftSetExpr,
  NftMappingExpr,
  NftConcatExpr,
  NftMapExpr,
  NftVerdictExpr,
  NftElemExpr,
  NftSocketExpr,
  NftOsfExpr,
  NftRtExpr,
  NftExthdrExpr,
  NftTcpOptionExpr,
  NftIpOptionExpr,
  NftSctpChunkExpr,
  NftIpsecExpr,
  NftUnknownExpr,
]);
export type NftExpr = z.infer<typeof NftExpr>;

// ---------------------------------------------------------------------------------------------
// Statements

export const NftMatchStmt = z.object({
  kind: z.literal('match'),
  op: NftMatchOp,
  get left() {
    return NftExpr;
  },
  get right() {
    return NftExpr;
  },
});

export const NftVerdictStmt = z.object({
  kind: z.literal('verdict'),
  verdict: NftVerdictName,
  /** The chain of a `jump` or `goto`. */
  target: z.string().optional(),
});

/** An anonymous counter; packets and bytes are null when the dump was stateless. */
export const NftCounterStmt = z.object({
  kind: z.literal('counter'),
  packets: CounterValue.nullable(),
  bytes: CounterValue.nullable(),
});

/**
 * A reference to a named stateful object: `counter name "x"`, `quota name`, `limit name`, and the
 * `ct helper set`, `ct timeout set`, `ct expectation set`, `meta secmark set`, `synproxy name`
 * assignments.
 */
export const NftObjrefType = z.enum([
  'counter',
  'quota',
  'limit',
  'ct helper',
  'ct timeout',
  'ct expectation',
  'secmark',
  'synproxy',
]);

export const NftObjrefStmt = z.object({
  kind: z.literal('objref'),
  type: NftObjrefType,
  /** The object name, or a map choosing one. */
  get ref() {
    return NftExpr;
  },
});

/** `KEY set VALUE` for payload, meta, ct and exthdr keys. */
export const NftMangleStmt = z.object({
  kind: z.literal('mangle'),
  get key() {
    return NftExpr;
  },
  get value() {
    return NftExpr;
  },
});

export const NftNatStmt = z.object({
  kind: z.literal('nat'),
  type: z.enum(['snat', 'dnat', 'masquerade', 'redirect']),
  /** Address family of `addr`, required by nft in inet tables and with maps. */
  family: z.enum(['ip', 'ip6']).optional(),
  get addr() {
    return NftExpr.optional();
  },
  get port() {
    return NftExpr.optional();
  },
  /** `random`, `fully-random`, `persistent`. */
  flags: z.array(z.string()).optional(),
  /** `prefix`, `interval`, `concat` when nft recorded how the address was given. */
  typeFlags: z.array(z.string()).optional(),
});

/** A verdict map lookup `key vmap data`. */
export const NftVmapStmt = z.object({
  kind: z.literal('vmap'),
  get key() {
    return NftExpr;
  },
  get data() {
    return NftExpr;
  },
});

/** Adds, updates or deletes an element of a named set from the packet path. */
export const NftSetStmt = z.object({
  kind: z.literal('set'),
  op: z.enum(['add', 'update', 'delete']),
  get elem() {
    return NftExpr;
  },
  /** The set name, without the `@`. */
  set: z.string(),
  /** Statements attached to the element, e.g. a counter. */
  get stmts() {
    return z.array(NftStmt);
  },
});

export const NftLogStmt = z.object({
  kind: z.literal('log'),
  prefix: z.string().nullable(),
  group: z.number().nullable(),
  snaplen: z.number().nullable(),
  queueThreshold: z.number().nullable(),
  /** Null means nft's default, `warn`. */
  level: z.string().nullable(),
  flags: z.array(z.string()),
});

export const NftLimitStmt = z.object({
  kind: z.literal('limit'),
  rate: z.number(),
  /** Null for packets; `bytes`, `kbytes`, `mbytes` for a byte rate. */
  rateUnit: z.string().nullable(),
  per: z.string(),
  burst: z.number(),
  burstUnit: z.string().nullable(),
  /** `over`: matches once the rate is exceeded. */
  inv: z.boolean(),
});

export const NftQuotaStmt = z.object({
  kind: z.literal('quota'),
  val: z.number(),
  valUnit: z.string(),
  used: z.number(),
  usedUnit: z.string(),
  inv: z.boolean(),
});

export const NftRejectStmt = z.object({
  kind: z.literal('reject'),
  /** `tcp reset`, `icmp`, `icmpv6`, `icmpx`; null for nft's default. */
  type: z.string().nullable(),
  get expr() {
    return NftExpr.nullable();
  },
});

export const NftNotrackStmt = z.object({ kind: z.literal('notrack') });

export const NftQueueStmt = z.object({
  kind: z.literal('queue'),
  get num() {
    return NftExpr.nullable();
  },
  flags: z.array(z.string()),
});

export const NftDupStmt = z.object({
  kind: z.literal('dup'),
  get addr() {
    return NftExpr.nullable();
  },
  get dev() {
    return NftExpr.nullable();
  },
});

export const NftFwdStmt = z.object({
  kind: z.literal('fwd'),
  get dev() {
    return NftExpr;
  },
  family: z.string().nullable(),
  get addr() {
    return NftExpr.nullable();
  },
});

export const NftTproxyStmt = z.object({
  kind: z.literal('tproxy'),
  family: z.string().nullable(),
  get addr() {
    return NftExpr.nullable();
  },
  get port() {
    return NftExpr.nullable();
  },
});

export const NftSynproxyStmt = z.object({
  kind: z.literal('synproxy'),
  mss: z.number().nullable(),
  wscale: z.number().nullable(),
  flags: z.array(z.string()),
});

export const NftCtCountStmt = z.object({ kind: z.literal('ctCount'), val: z.number(), inv: z.boolean() });

export const NftMeterStmt = z.object({
  kind: z.literal('meter'),
  name: z.string().nullable(),
  size: z.number().nullable(),
  get key() {
    return NftExpr;
  },
  get stmt() {
    return NftStmt;
  },
});

/** `flow add @ft`: offload the connection to a flowtable. */
export const NftFlowStmt = z.object({
  kind: z.literal('flow'),
  op: z.string(),
  /** The flowtable name, without the `@`. */
  flowtable: z.string(),
});

/** An iptables-nft compat expression (`xt`); nft keeps only the module name in JSON. */
export const NftXtStmt = z.object({
  kind: z.literal('xt'),
  type: z.enum(['match', 'target', 'watcher']),
  name: z.string(),
});

/** A statement packetlens does not model (nft prints some as plain text strings), kept verbatim. */
export const NftUnknownStmt = z.object({ kind: z.literal('unknown'), raw: NftRaw });

export const NftStmt = z.discriminatedUnion('kind', [
  NftMatchStmt,
  NftVerdictStmt,
  NftCounterStmt,
  NftObjrefStmt,
  NftMangleStmt,
  NftNatStmt,
  NftVmapStmt,
  NftSetStmt,
  NftLogStmt,
  NftLimitStmt,
  NftQuotaStmt,
  NftRejectStmt,
  NftNotrackStmt,
  NftQueueStmt,
  NftDupStmt,
  NftFwdStmt,
  NftTproxyStmt,
  NftSynproxyStmt,
  NftCtCountStmt,
  NftMeterStmt,
  NftFlowStmt,
  NftXtStmt,
  NftUnknownStmt,
]);
export type NftStmt = z.infer<typeof NftStmt>;

// ---------------------------------------------------------------------------------------------
// Ruleset objects

export const NftRule = z.object({
  /** Kernel handle, stable while the rule exists (`nft -a`). */
  handle: z.number().int(),
  /** 1-based position in its chain. */
  index: z.number().int().positive(),
  comment: z.string().nullable(),
  /** Its text as `nft list ruleset` prints it is derived on demand: `nftRuleText(table, rule)`. */
  stmts: z.array(NftStmt),
});
export type NftRule = z.infer<typeof NftRule>;

export const NftBaseChain = z.object({
  /** `filter`, `nat` or `route`. */
  type: z.string(),
  hook: z.string(),
  /** Numeric priority; symbolic ones (`dstnat`, `filter - 10`) resolved for the family and hook. */
  priority: z.number().int(),
  policy: z.enum(['accept', 'drop']),
  /** Devices of a netdev (or inet ingress) chain; empty when nft left them out (1.0.6 JSON does). */
  devices: z.array(z.string()),
});
export type NftBaseChain = z.infer<typeof NftBaseChain>;

export const NftChain = z.object({
  name: z.string(),
  handle: z.number().int(),
  comment: z.string().nullable(),
  /** Null for a regular chain, reached only by jump/goto. */
  base: NftBaseChain.nullable(),
  rules: z.array(NftRule),
});
export type NftChain = z.infer<typeof NftChain>;

export const NftSet = z.object({
  name: z.string(),
  handle: z.number().int(),
  /** Key datatype, one entry per concatenated part, e.g. `['ipv4_addr', 'inet_service']`. */
  type: z.array(z.string()),
  /** Data datatype when the set is a map (`verdict`, `mark`, `ipv4_addr . inet_service`); else null. */
  map: z.string().nullable(),
  /** A meter (`meter` in JSON): a set filled from the packet path. */
  meter: z.boolean(),
  /** `constant`, `interval`, `timeout`, `dynamic`. */
  flags: z.array(z.string()),
  policy: z.string().nullable(),
  size: z.number().nullable(),
  /** Default element timeout, seconds. */
  timeout: z.number().nullable(),
  /** Garbage collection interval, seconds. */
  gcInterval: z.number().nullable(),
  comment: z.string().nullable(),
  /** Elements; in a map each is a `mapping` (or an `elem` wrapping one). */
  elements: z.array(NftExpr),
});
export type NftSet = z.infer<typeof NftSet>;

export const NftFlowtable = z.object({
  name: z.string(),
  handle: z.number().int(),
  hook: z.string(),
  priority: z.number().int(),
  devices: z.array(z.string()),
});
export type NftFlowtable = z.infer<typeof NftFlowtable>;

/** A named stateful object: counter, quota, limit, ct helper, ct timeout, ct expectation, secmark, … */
export const NftObject = z.object({
  /** The JSON key, e.g. `counter`, `ct helper`. */
  type: z.string(),
  name: z.string(),
  handle: z.number().int().nullable(),
  /** The whole object as nft printed it. */
  raw: NftRaw,
});
export type NftObject = z.infer<typeof NftObject>;

export const NftTable = z.object({
  family: NftFamily,
  name: z.string(),
  handle: z.number().int(),
  /** e.g. `dormant`, `owner`. */
  flags: z.array(z.string()),
  comment: z.string().nullable(),
  chains: z.array(NftChain),
  sets: z.array(NftSet),
  flowtables: z.array(NftFlowtable),
  objects: z.array(NftObject),
  /** Set when another tool owns the table (iptables-nft), so its rules are not counted twice. */
  managedBy: z.enum(['iptables-nft']).nullable(),
});
export type NftTable = z.infer<typeof NftTable>;

export const NftMetainfo = z.object({
  /** nft version, e.g. `1.0.6`. */
  version: z.string().nullable(),
  releaseName: z.string().nullable(),
  jsonSchemaVersion: z.number().nullable(),
});
export type NftMetainfo = z.infer<typeof NftMetainfo>;

export const NftRuleset = z.object({
  metainfo: NftMetainfo,
  tables: z.array(NftTable),
});
export type NftRuleset = z.infer<typeof NftRuleset>;

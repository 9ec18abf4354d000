import { z } from 'zod';

/**
 * How the arguments of one iptables option are read and written back. A codec turns the tokens
 * after `--option` into a typed value and renders that value the way iptables-save prints it.
 */
export interface Codec<T> {
  /** How many tokens the option takes. */
  readonly arity: number;
  readonly schema: z.ZodType<T>;
  /** Throws `CodecError` with a message naming what was expected. */
  decode(args: readonly string[]): T;
  encode(value: T): string[];
}

export class CodecError extends Error {
  /** Index of the offending argument within the option's arguments. */
  constructor(
    message: string,
    readonly argIndex = 0,
  ) {
    super(message);
  }
}

function arg(args: readonly string[], i = 0): string {
  const a = args[i];
  if (a === undefined) throw new CodecError('missing argument', i);
  return a;
}

export const flag: Codec<true> = {
  arity: 0,
  schema: z.literal(true),
  decode: () => true,
  encode: () => [],
};

export const str: Codec<string> = {
  arity: 1,
  schema: z.string(),
  decode: (args) => arg(args),
  encode: (v) => [v],
};

/** Decimal or 0x-prefixed hexadecimal, as iptables' `xtables_strtoui` accepts. */
export function uintParse(text: string): number | null {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

export const uint: Codec<number> = {
  arity: 1,
  schema: z.number().int().nonnegative(),
  decode(args) {
    const n = uintParse(arg(args));
    if (n === null) throw new CodecError(`expected a number, got '${arg(args)}'`);
    return n;
  },
  encode: (v) => [String(v)],
};

/** Marks, masks and DSCP values are printed in hex by iptables-save. */
export const hexUint: Codec<number> = { ...uint, encode: (v) => [`0x${v.toString(16)}`] };

export const probability: Codec<number> = {
  arity: 1,
  schema: z.number().min(0).max(1),
  decode(args) {
    const text = arg(args);
    const p = Number(text);
    if (!/^\d*\.?\d+(e-?\d+)?$/i.test(text) || !(p >= 0 && p <= 1))
      throw new CodecError(`expected a probability between 0 and 1, got '${text}'`);
    return p;
  },
  encode: (v) => [v.toFixed(11)],
};

export const list: Codec<string[]> = {
  arity: 1,
  schema: z.array(z.string()),
  decode: (args) => arg(args).split(','),
  encode: (v) => [v.join(',')],
};

export const PortRange = z.object({
  from: z.number().int().min(0).max(65535),
  to: z.number().int().min(0).max(65535),
});
export type PortRange = z.infer<typeof PortRange>;

// Service names iptables resolves through /etc/services; iptables-save itself always prints numbers.
const wellKnownPorts: Record<string, number> = {
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  bootps: 67,
  bootpc: 68,
  tftp: 69,
  http: 80,
  www: 80,
  pop3: 110,
  ntp: 123,
  imap: 143,
  snmp: 161,
  ldap: 389,
  https: 443,
  submission: 587,
  imaps: 993,
  pop3s: 995,
  'ms-sql-s': 1433,
  mysql: 3306,
  postgresql: 5432,
  'http-alt': 8080,
};

function portParse(text: string): number {
  const n = uintParse(text) ?? wellKnownPorts[text];
  if (n === undefined || n > 65535)
    throw new CodecError(`expected a port (0-65535 or a service name), got '${text}'`);
  return n;
}

function portRangeParse(text: string): PortRange {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = portParse(text);
    return { from: p, to: p };
  }
  const from = colon === 0 ? 0 : portParse(text.slice(0, colon));
  const to = colon === text.length - 1 ? 65535 : portParse(text.slice(colon + 1));
  if (from > to) throw new CodecError(`port range '${text}' runs backwards`);
  return { from, to };
}

export function portRangeFormat(r: PortRange): string {
  return r.from === r.to ? String(r.from) : `${r.from}:${r.to}`;
}

export const portRange: Codec<PortRange> = {
  arity: 1,
  schema: PortRange,
  decode: (args) => portRangeParse(arg(args)),
  encode: (v) => [portRangeFormat(v)],
};

export const portList: Codec<PortRange[]> = {
  arity: 1,
  schema: z.array(PortRange),
  decode: (args) => arg(args).split(',').map(portRangeParse),
  encode: (v) => [v.map(portRangeFormat).join(',')],
};

/** `--ctexpire`, `--length`: a number or an inclusive `a:b` range. */
export const NumRange = z.object({
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
});
export const numRange: Codec<z.infer<typeof NumRange>> = {
  arity: 1,
  schema: NumRange,
  decode(args) {
    const text = arg(args);
    const [a, b] = text.split(':');
    const from = uintParse(a ?? '');
    const to = b === undefined ? from : uintParse(b);
    if (from === null || to === null) throw new CodecError(`expected a number or a range a:b, got '${text}'`);
    return { from, to };
  },
  encode: (v) => [v.from === v.to ? String(v.from) : `${v.from}:${v.to}`],
};

/** `value[/mask]` for marks, connmarks and TOS; `mask` is null when not written (all 32 bits). */
export const MarkMask = z.object({
  value: z.number().int().nonnegative(),
  mask: z.number().int().nonnegative().nullable(),
});
export type MarkMask = z.infer<typeof MarkMask>;
export const markMask: Codec<MarkMask> = {
  arity: 1,
  schema: MarkMask,
  decode(args) {
    const text = arg(args);
    const slash = text.indexOf('/');
    const value = uintParse(slash < 0 ? text : text.slice(0, slash));
    const mask = slash < 0 ? null : uintParse(text.slice(slash + 1));
    if (value === null || value > 0xffffffff || (slash >= 0 && (mask === null || mask > 0xffffffff)))
      throw new CodecError(`expected value[/mask] with 32-bit numbers, got '${text}'`);
    return { value, mask };
  },
  encode: (v) => [
    v.mask === null ? `0x${v.value.toString(16)}` : `0x${v.value.toString(16)}/0x${v.mask.toString(16)}`,
  ],
};

/** `--tcp-flags MASK COMP`, e.g. `SYN,RST,ACK,FIN SYN`. */
export const TcpFlags = z.object({ mask: z.array(z.string()), comp: z.array(z.string()) });
export const tcpFlags: Codec<z.infer<typeof TcpFlags>> = {
  arity: 2,
  schema: TcpFlags,
  decode: (args) => ({
    mask: arg(args, 0).split(','),
    comp: arg(args, 1) === 'NONE' ? [] : arg(args, 1).split(','),
  }),
  encode: (v) => [v.mask.join(','), v.comp.length ? v.comp.join(',') : 'NONE'],
};

/** `--match-set NAME src,dst`. */
export const SetRef = z.object({ name: z.string(), dirs: z.array(z.enum(['src', 'dst'])) });
export const setRef: Codec<z.infer<typeof SetRef>> = {
  arity: 2,
  schema: SetRef,
  decode(args) {
    const dirs = arg(args, 1).split(',');
    for (const d of dirs)
      if (d !== 'src' && d !== 'dst') throw new CodecError(`expected src or dst flags, got '${d}'`, 1);
    return { name: arg(args, 0), dirs: dirs as ('src' | 'dst')[] };
  },
  encode: (v) => [v.name, v.dirs.join(',')],
};

/** `--chunk-types all|any|only TYPES`. */
export const ChunkTypes = z.object({ scope: z.string(), types: z.array(z.string()) });
export const chunkTypes: Codec<z.infer<typeof ChunkTypes>> = {
  arity: 2,
  schema: ChunkTypes,
  decode: (args) => ({ scope: arg(args, 0), types: arg(args, 1).split(',') }),
  encode: (v) => [v.scope, v.types.join(',')],
};

import type { NftExpr, NftFamily, NftRule, NftSet, NftStmt, NftTable } from '../model/nftables';

/**
 * Prints normalized nft statements in nft's own text syntax, as `nft list ruleset` (nft 1.0.6)
 * prints them. JSON drops the datatype of constants (a mark is a plain number, an interface name a
 * bare string), so values are formatted by the type of the expression they are compared with or
 * assigned to, the way nft's datatype printers do: marks as `0x%08x`, names quoted, flags joined.
 */

export interface NftRenderContext {
  /** Family of the rule's table: decides which reject codes nft omits as the default. */
  family?: NftFamily;
  /** Named sets and maps of the rule's table, for the datatype of map lookups (`meta mark set … map @m`). */
  sets?: ReadonlyMap<string, Pick<NftSet, 'type' | 'map'>>;
}

/**
 * How a constant prints. `raw`: as JSON gave it. `str`: quoted. `ifname`: quoted unless a bare
 * interface index. `mark`: `0x%08x`. `hex*`: hexadecimal (zero-padded to 2 or 4 digits). `bits`:
 * flag lists joined by commas, numbers in hex. `time`: JSON seconds as `1h2m3s`. Arrays type the
 * parts of a concatenation.
 */
type Scalar = 'raw' | 'str' | 'ifname' | 'mark' | 'hex' | 'hex2' | 'hex4' | 'bits' | 'time';
export type NftValueType = Scalar | readonly NftValueType[];

// Lookups keyed by names from the dump are Maps: a plain object would answer `constructor`.
function lookup<V>(entries: Record<string, V>): ReadonlyMap<string, V> {
  return new Map(Object.entries(entries));
}

// Header fields whose values do not print as JSON gave them (all others do), by protocol and field.
const PAYLOAD_TYPES = lookup<ReadonlyMap<string, Scalar>>({
  tcp: lookup<Scalar>({ flags: 'bits' }),
  ip: lookup<Scalar>({ dscp: 'hex2' }),
  ip6: lookup<Scalar>({ dscp: 'hex2' }),
  ether: lookup<Scalar>({ type: 'hex4' }),
  vlan: lookup<Scalar>({ type: 'hex4' }),
  arp: lookup<Scalar>({ ptype: 'hex4' }),
});

const META_TYPES = lookup<Scalar>({
  mark: 'mark',
  iifname: 'str',
  oifname: 'str',
  ibrname: 'str',
  obrname: 'str',
  ibridgename: 'str',
  obridgename: 'str',
  iifkind: 'str',
  oifkind: 'str',
  sdifname: 'str',
  iif: 'ifname',
  oif: 'ifname',
  sdif: 'ifname',
  iifgroup: 'ifname',
  oifgroup: 'ifname',
  time: 'str',
  day: 'str',
  hour: 'str',
  protocol: 'hex4',
});

const CT_TYPES = lookup<Scalar>({
  mark: 'mark',
  state: 'bits',
  status: 'bits',
  event: 'bits',
  expiration: 'time',
  helper: 'str',
});

// Datatype names of named sets and maps (`type`/`map` in JSON) that do not print as JSON gave them.
const DATATYPE_NAMES = lookup<Scalar>({
  mark: 'mark',
  ifname: 'str',
  string: 'str',
  iface_index: 'ifname',
  devgroup: 'ifname',
  time: 'time',
  ct_state: 'bits',
  ct_status: 'bits',
  ct_event: 'bits',
  tcp_flag: 'bits',
  ether_type: 'hex4',
  dscp: 'hex2',
  cgroupsv2: 'str',
});

// Meta keys nft prints without the `meta` keyword.
const UNQUALIFIED_META = new Set(['iif', 'oif', 'iifname', 'oifname', 'iifgroup', 'oifgroup']);

// binop_arg_print: an operand that binds less tightly gets parentheses.
const BINOP_PRECEDENCE = lookup<number>({ '<<': 1, '>>': 1, '&': 2, '^': 3, '|': 4 });

/** The datatype named in a set declaration, e.g. `ipv4_addr . inet_service` or `mark`. */
export function nftDatatypeValueType(name: string | readonly string[]): NftValueType {
  const parts = typeof name === 'string' ? name.split(' . ') : name;
  const types = parts.map((p) => DATATYPE_NAMES.get(p.trim()) ?? 'raw');
  return types.length === 1 ? types[0]! : types;
}

/** How constants compared with or assigned to this expression print. */
export function nftExprValueType(expr: NftExpr, ctx: NftRenderContext = {}): NftValueType {
  switch (expr.kind) {
    case 'payload':
      return PAYLOAD_TYPES.get(expr.protocol)?.get(expr.field) ?? 'raw';
    case 'rawPayload':
      return 'hex';
    case 'meta':
      return META_TYPES.get(expr.key) ?? 'raw';
    case 'ct':
      return CT_TYPES.get(expr.key) ?? 'raw';
    case 'fib':
      return expr.result === 'oif' ? 'ifname' : expr.result === 'oifname' ? 'str' : 'raw';
    case 'socket':
      return expr.key === 'mark' ? 'mark' : expr.key === 'cgroupv2' ? 'str' : 'raw';
    case 'osf':
      return 'str';
    case 'binop':
      return nftExprValueType(expr.left, ctx);
    case 'concat':
      return expr.items.map((i) => nftExprValueType(i, ctx));
    case 'map':
      return mapDataType(expr.data, ctx, 'raw');
    default:
      return 'raw';
  }
}

function mapDataType(data: NftExpr, ctx: NftRenderContext, fallback: NftValueType): NftValueType {
  if (data.kind === 'setref') {
    const set = ctx.sets?.get(data.name);
    return set?.map ? nftDatatypeValueType(set.map) : fallback;
  }
  return fallback;
}

function setKeyType(name: string, ctx: NftRenderContext): NftValueType {
  const set = ctx.sets?.get(name);
  return set ? nftDatatypeValueType(set.type) : 'raw';
}

// Rules repeat the same few field names and port numbers; reusing their strings spares the
// garbage collector most of the rendering garbage on rulesets of 100k+ rules.
const PAYLOAD_TEXT = new Map<string, Map<string, string>>();
const META_TEXT = new Map<string, string>();
const SMALL_INTS: (string | undefined)[] = new Array<string | undefined>(65536);

function cached(cache: Map<string, string>, key: string, prefix: string): string {
  let text = cache.get(key);
  if (text === undefined) {
    text = prefix + key;
    if (cache.size < 4096) cache.set(key, text);
  }
  return text;
}

function payloadText(protocol: string, field: string): string {
  let fields = PAYLOAD_TEXT.get(protocol);
  if (fields === undefined) {
    fields = new Map();
    if (PAYLOAD_TEXT.size < 256) PAYLOAD_TEXT.set(protocol, fields);
  }
  return cached(fields, field, `${protocol} `);
}

function hex(n: number, width: number): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

/** nft's time_print: milliseconds as `1d2h3m4s5ms`. */
export function nftTimeText(ms: number): string {
  let rest = Math.floor(ms);
  const parts: [number, string][] = [];
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    parts.push([Math.floor(rest / size), unit]);
    rest %= size;
  }
  parts.push([rest, 'ms']);
  return parts
    .filter(([v]) => v > 0)
    .map(([v, u]) => `${v}${u}`)
    .join('');
}

function scalarOf(type: NftValueType): Scalar {
  return typeof type === 'string' ? type : 'raw';
}

function immediateText(value: string | number | boolean, type: NftValueType): string {
  const t = scalarOf(type);
  if (typeof value === 'boolean') return value ? 'exists' : 'missing';
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) return String(value);
    switch (t) {
      case 'mark':
        return hex(value, 8);
      case 'hex':
      case 'bits':
        return hex(value, 0);
      case 'hex2':
        return hex(value, 2);
      case 'hex4':
        return hex(value, 4);
      case 'time':
        return nftTimeText(value * 1000);
      default:
        return value < SMALL_INTS.length ? (SMALL_INTS[value] ??= String(value)) : String(value);
    }
  }
  if (t === 'str') return `"${value}"`;
  if (t === 'ifname') return /^\d+$/.test(value) ? value : `"${value}"`;
  return value;
}

/** Prints an expression; constants are formatted as `type` says (see nftExprValueType). */
export function renderNftExpr(expr: NftExpr, ctx: NftRenderContext = {}, type: NftValueType = 'raw'): string {
  switch (expr.kind) {
    case 'immediate':
      return immediateText(expr.value, type);
    case 'wildcard':
      return '*';
    case 'list':
      return expr.items.map((i) => renderNftExpr(i, ctx, type)).join(',');
    case 'setref':
      return `@${expr.name}`;
    case 'payload':
      return payloadText(expr.protocol, expr.field);
    case 'rawPayload':
      return `@${expr.base},${expr.offset},${expr.len}`;
    case 'meta':
      return UNQUALIFIED_META.has(expr.key) ? expr.key : cached(META_TEXT, expr.key, 'meta ');
    case 'ct':
      return `ct ${expr.dir ? `${expr.dir} ` : ''}${expr.family ? `${expr.family} ` : ''}${expr.key}`;
    case 'fib':
      return `fib ${expr.flags.join(' . ')} ${expr.result}`;
    case 'numgen':
      return `numgen ${expr.mode} mod ${expr.mod}${expr.offset ? ` offset ${expr.offset}` : ''}`;
    case 'jhash':
      return (
        `jhash ${renderNftExpr(expr.expr, ctx)} mod ${expr.mod}` +
        (expr.seed !== null ? ` seed ${hex(expr.seed, 0)}` : '') +
        (expr.offset ? ` offset ${expr.offset}` : '')
      );
    case 'symhash':
      return `symhash mod ${expr.mod}${expr.offset ? ` offset ${expr.offset}` : ''}`;
    case 'binop': {
      // Shift amounts are plain numbers; the other operands share the left side's type.
      const rightType = expr.op === '<<' || expr.op === '>>' ? 'raw' : type;
      return `${binopArg(expr.op, expr.left, ctx, type)} ${expr.op} ${binopArg(expr.op, expr.right, ctx, rightType)}`;
    }
    case 'prefix':
      return `${renderNftExpr(expr.addr, ctx, type)}/${expr.len}`;
    case 'range':
      return `${renderNftExpr(expr.low, ctx, type)}-${renderNftExpr(expr.high, ctx, type)}`;
    case 'set':
      return `{ ${expr.elements.map((e) => renderNftExpr(e, ctx, type)).join(', ')} }`;
    case 'mapping':
      // In a set of mappings `type` is the key type; the data type travels as the mapping's own.
      return `${renderNftExpr(expr.key, ctx, type)} : ${renderNftExpr(expr.value, ctx, 'raw')}`;
    case 'concat':
      return expr.items
        .map((i, n) => renderNftExpr(i, ctx, typeof type === 'string' ? type : (type[n] ?? 'raw')))
        .join(' . ');
    case 'map':
      return renderMap(expr.key, expr.data, 'map', ctx, mapDataType(expr.data, ctx, type));
    case 'verdict':
      return expr.target !== undefined ? `${expr.verdict} ${expr.target}` : expr.verdict;
    case 'elem':
      return (
        renderNftExpr(expr.value, ctx, type) +
        (expr.timeout !== null ? ` timeout ${nftTimeText(expr.timeout * 1000)}` : '') +
        (expr.expires !== null ? ` expires ${nftTimeText(expr.expires * 1000)}` : '') +
        (expr.comment !== null ? ` comment "${expr.comment}"` : '') +
        (expr.counter !== null ? ` counter packets ${expr.counter.packets} bytes ${expr.counter.bytes}` : '')
      );
    case 'socket':
      return `socket ${expr.key}`;
    case 'osf':
      return `osf ${expr.ttl ? `ttl ${expr.ttl} ` : ''}${expr.key}`;
    case 'rt':
      return `rt ${expr.family ? `${expr.family} ` : ''}${expr.key}`;
    case 'exthdr':
      return expr.field === null ? `exthdr ${expr.name}` : `${expr.name} ${expr.field}`;
    case 'tcpOption':
      return `tcp option ${expr.name}${expr.field === null ? '' : ` ${expr.field}`}`;
    case 'ipOption':
      return `ip option ${expr.name}${expr.field === null ? '' : ` ${expr.field}`}`;
    case 'sctpChunk':
      return `sctp chunk ${expr.name}${expr.field === null ? '' : ` ${expr.field}`}`;
    case 'ipsec':
      return (
        `ipsec ${expr.dir}${expr.spnum ? ` spnum ${expr.spnum}` : ''}` +
        `${expr.family ? ` ${expr.family}` : ''} ${expr.key}`
      );
    case 'unknown':
      return rawText(expr.raw);
  }
}

function binopArg(op: string, arg: NftExpr, ctx: NftRenderContext, type: NftValueType): string {
  const text = renderNftExpr(arg, ctx, type);
  const outer = BINOP_PRECEDENCE.get(op) ?? 0;
  return arg.kind === 'binop' && outer !== 0 && outer < (BINOP_PRECEDENCE.get(arg.op) ?? 0)
    ? `(${text})`
    : text;
}

/** `key map { k : v }`: keys typed by the key expression, values by what the map yields. */
function renderMap(
  key: NftExpr,
  data: NftExpr,
  word: 'map' | 'vmap',
  ctx: NftRenderContext,
  dataType: NftValueType,
): string {
  const keyType = nftExprValueType(key, ctx);
  return `${renderNftExpr(key, ctx)} ${word} ${renderMapData(data, ctx, keyType, dataType)}`;
}

function renderMapData(
  data: NftExpr,
  ctx: NftRenderContext,
  keyType: NftValueType,
  dataType: NftValueType,
): string {
  if (data.kind !== 'set') return renderNftExpr(data, ctx, keyType);
  const items = data.elements.map((e) =>
    e.kind === 'mapping'
      ? `${renderNftExpr(e.key, ctx, keyType)} : ${renderNftExpr(e.value, ctx, dataType)}`
      : renderNftExpr(e, ctx, keyType),
  );
  return `{ ${items.join(', ')} }`;
}

/** Unknown JSON: nft prints statements it cannot express in JSON as their text, so strings pass. */
function rawText(raw: unknown): string {
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

function isValue(e: NftExpr): boolean {
  return e.kind === 'immediate' || e.kind === 'list';
}

function renderMatch(stmt: Extract<NftStmt, { kind: 'match' }>, ctx: NftRenderContext): string {
  const { left, right, op } = stmt;
  // `tcp flags syn / syn,ack`: a flag test under a mask of several flags.
  if (
    left.kind === 'binop' &&
    left.op === '&' &&
    left.right.kind === 'list' &&
    nftExprValueType(left.left, ctx) === 'bits' &&
    isValue(right) &&
    (op === '==' || op === '!=')
  ) {
    return (
      `${renderNftExpr(left.left, ctx)} ${op === '!=' ? '!= ' : ''}` +
      `${renderNftExpr(right, ctx, 'bits')} / ${renderNftExpr(left.right, ctx, 'bits')}`
    );
  }
  const type = nftExprValueType(left, ctx);
  let opText: string;
  if (op === 'in') opText = ' ';
  else if (op === '==') opText = left.kind === 'binop' || (type === 'bits' && isValue(right)) ? ' == ' : ' ';
  else opText = ` ${op} `;
  return `${renderNftExpr(left, ctx, type)}${opText}${renderNftExpr(right, ctx, type)}`;
}

function natAddrText(addr: NftExpr, hasPort: boolean, ctx: NftRenderContext): string {
  // IPv6 addresses are bracketed when a port follows.
  if (hasPort && addr.kind === 'immediate' && typeof addr.value === 'string' && addr.value.includes(':')) {
    return `[${addr.value}]`;
  }
  if (
    hasPort &&
    addr.kind === 'range' &&
    addr.low.kind === 'immediate' &&
    typeof addr.low.value === 'string' &&
    addr.low.value.includes(':')
  ) {
    return `[${renderNftExpr(addr.low, ctx)}]-[${renderNftExpr(addr.high, ctx)}]`;
  }
  return renderNftExpr(addr, ctx);
}

const NAT_FLAG_ORDER = ['random', 'fully-random', 'persistent'];

function renderNat(stmt: Extract<NftStmt, { kind: 'nat' }>, ctx: NftRenderContext): string {
  let out: string = stmt.type;
  const { addr, port } = stmt;
  if (addr || port) {
    if (stmt.family) out += ` ${stmt.family}`;
    if (stmt.typeFlags?.includes('prefix')) out += ' prefix';
    out += ' to';
  }
  if (addr) out += ` ${natAddrText(addr, port !== undefined, ctx)}`;
  if (port) out += `${addr ? '' : ' '}:${renderNftExpr(port, ctx)}`;
  const flags = [...(stmt.flags ?? [])].sort((a, b) => NAT_FLAG_ORDER.indexOf(a) - NAT_FLAG_ORDER.indexOf(b));
  if (flags.length > 0) out += ` ${flags.join(',')}`;
  return out;
}

function renderReject(stmt: Extract<NftStmt, { kind: 'reject' }>, ctx: NftRenderContext): string {
  const { type, expr } = stmt;
  if (type === null) return 'reject';
  if (type === 'tcp reset') return 'reject with tcp reset';
  const code = expr ? renderNftExpr(expr, ctx) : null;
  // The family's own port-unreachable is the default and is not printed (icmpx: in every family).
  const isDefault =
    code === 'port-unreachable' &&
    (type === 'icmpx' ||
      (type === 'icmp' && ctx.family === 'ip') ||
      (type === 'icmpv6' && ctx.family === 'ip6'));
  if (code === null) return `reject with ${type}`;
  if (isDefault) return 'reject';
  return `reject with ${type} ${code}`;
}

function renderLog(stmt: Extract<NftStmt, { kind: 'log' }>): string {
  let out = 'log';
  if (stmt.prefix !== null) out += ` prefix "${stmt.prefix}"`;
  if (stmt.group !== null) out += ` group ${stmt.group}`;
  if (stmt.snaplen !== null) out += ` snaplen ${stmt.snaplen}`;
  if (stmt.queueThreshold !== null) out += ` queue-threshold ${stmt.queueThreshold}`;
  if (stmt.level !== null && stmt.level !== 'warn') out += ` level ${stmt.level}`;
  const flags = new Set(stmt.flags);
  if (flags.has('all')) return `${out} flags all`;
  const tcp = ['sequence', 'options'].filter((f) => flags.has(`tcp ${f}`));
  if (tcp.length > 0) out += ` flags tcp ${tcp.join(',')}`;
  if (flags.has('ip options')) out += ' flags ip options';
  if (flags.has('skuid')) out += ' flags skuid';
  if (flags.has('ether')) out += ' flags ether';
  return out;
}

function renderLimit(stmt: Extract<NftStmt, { kind: 'limit' }>): string {
  const over = stmt.inv ? 'over ' : '';
  if (stmt.rateUnit === null) {
    // Five packets is the kernel's default burst and is not printed.
    const burst = stmt.burst && stmt.burst !== 5 ? ` burst ${stmt.burst} packets` : '';
    return `limit rate ${over}${stmt.rate}/${stmt.per}${burst}`;
  }
  const burst = stmt.burst ? ` burst ${stmt.burst} ${stmt.burstUnit ?? 'bytes'}` : '';
  return `limit rate ${over}${stmt.rate} ${stmt.rateUnit}/${stmt.per}${burst}`;
}

const OBJREF_PREFIX: Readonly<Record<string, string>> = {
  counter: 'counter name',
  quota: 'quota name',
  limit: 'limit name',
  synproxy: 'synproxy name',
  'ct helper': 'ct helper set',
  'ct timeout': 'ct timeout set',
  'ct expectation': 'ct expectation set',
  secmark: 'meta secmark set',
};

/**
 * Prints one statement in nft's text syntax. `stateless` leaves counter and quota values out, as
 * nft does for statements inside a meter or a set statement.
 */
export function renderNftStmt(stmt: NftStmt, ctx: NftRenderContext = {}, stateless = false): string {
  switch (stmt.kind) {
    case 'match':
      return renderMatch(stmt, ctx);
    case 'verdict':
      return stmt.target !== undefined ? `${stmt.verdict} ${stmt.target}` : stmt.verdict;
    case 'counter':
      return stmt.packets === null || stmt.bytes === null || stateless
        ? 'counter'
        : `counter packets ${stmt.packets} bytes ${stmt.bytes}`;
    case 'objref': {
      const ref =
        stmt.ref.kind === 'map'
          ? renderMap(stmt.ref.key, stmt.ref.data, 'map', ctx, 'str')
          : renderNftExpr(stmt.ref, ctx, 'str');
      return `${OBJREF_PREFIX[stmt.type]} ${ref}`;
    }
    case 'mangle': {
      const type = nftExprValueType(stmt.key, ctx);
      return `${renderNftExpr(stmt.key, ctx)} set ${renderNftExpr(stmt.value, ctx, type)}`;
    }
    case 'nat':
      return renderNat(stmt, ctx);
    case 'vmap':
      return renderMap(stmt.key, stmt.data, 'vmap', ctx, 'raw');
    case 'set': {
      const inner = stmt.stmts.map((s) => ` ${renderNftStmt(s, ctx, true)}`).join('');
      return `${stmt.op} @${stmt.set} { ${renderNftExpr(stmt.elem, ctx, setKeyType(stmt.set, ctx))}${inner} }`;
    }
    case 'log':
      return renderLog(stmt);
    case 'limit':
      return renderLimit(stmt);
    case 'quota': {
      const used = stmt.used && !stateless ? ` used ${stmt.used} ${stmt.usedUnit}` : '';
      return `quota ${stmt.inv ? 'over ' : ''}${stmt.val} ${stmt.valUnit}${used}`;
    }
    case 'reject':
      return renderReject(stmt, ctx);
    case 'notrack':
      return 'notrack';
    case 'queue': {
      const flags = stmt.flags.length > 0 ? ` flags ${stmt.flags.join(',')}` : '';
      return `queue${flags} to ${stmt.num ? renderNftExpr(stmt.num, ctx) : '0'}`;
    }
    case 'dup': {
      // In netdev tables `dup to` names a device; elsewhere it is an address and `device` follows.
      const addrType = ctx.family === 'netdev' ? 'ifname' : 'raw';
      let out = 'dup';
      if (stmt.addr) out += ` to ${renderNftExpr(stmt.addr, ctx, addrType)}`;
      if (stmt.dev) out += ` device ${renderNftExpr(stmt.dev, ctx, 'ifname')}`;
      return out;
    }
    case 'fwd':
      return stmt.addr
        ? `fwd ${stmt.family ?? 'ip'} to ${renderNftExpr(stmt.addr, ctx)} device ${renderNftExpr(stmt.dev, ctx, 'ifname')}`
        : `fwd to ${renderNftExpr(stmt.dev, ctx, 'ifname')}`;
    case 'tproxy': {
      let out = 'tproxy';
      // nft names the family only in inet tables, and so does its JSON.
      if (stmt.family) out += ` ${stmt.family}`;
      out += ' to';
      if (stmt.addr) {
        const a = renderNftExpr(stmt.addr, ctx);
        out += ` ${stmt.addr.kind === 'immediate' && a.includes(':') ? `[${a}]` : a}`;
      }
      if (stmt.port) out += `${stmt.addr ? '' : ' '}:${renderNftExpr(stmt.port, ctx)}`;
      return out;
    }
    case 'synproxy': {
      let out = 'synproxy';
      if (stmt.mss !== null) out += ` mss ${stmt.mss}`;
      if (stmt.wscale !== null) out += ` wscale ${stmt.wscale}`;
      if (stmt.flags.includes('timestamp')) out += ' timestamp';
      if (stmt.flags.includes('sack-perm')) out += ' sack-perm';
      return out;
    }
    case 'ctCount':
      return `ct count ${stmt.inv ? 'over ' : ''}${stmt.val}`;
    case 'meter':
      return (
        `meter ${stmt.name !== null ? `${stmt.name} ` : ''}${stmt.size !== null ? `size ${stmt.size} ` : ''}` +
        `{ ${renderNftExpr(stmt.key, ctx)} ${renderNftStmt(stmt.stmt, ctx, true)} }`
      );
    case 'flow':
      return `flow ${stmt.op} @${stmt.flowtable}`;
    case 'xt':
      return `xt ${stmt.type} ${stmt.name}`;
    case 'unknown':
      return rawText(stmt.raw);
  }
}

const tableContexts = new WeakMap<NftTable, NftRenderContext>();

/** What rendering any rule or statement of `table` needs to know about it (made once per table). */
export function nftTableRenderContext(table: NftTable): NftRenderContext {
  let ctx = tableContexts.get(table);
  if (!ctx) {
    ctx = { family: table.family, sets: new Map(table.sets.map((s) => [s.name, s])) };
    tableContexts.set(table, ctx);
  }
  return ctx;
}

/** A rule of `table` as `nft list ruleset` prints it (without the leading tabs). */
export function nftRuleText(table: NftTable, rule: Pick<NftRule, 'stmts' | 'comment'>): string {
  return renderNftRule(rule, nftTableRenderContext(table));
}

export function renderNftRule(rule: Pick<NftRule, 'stmts' | 'comment'>, ctx: NftRenderContext = {}): string {
  const parts: string[] = [];
  for (const stmt of rule.stmts) parts.push(renderNftStmt(stmt, ctx));
  if (rule.comment !== null) parts.push(`comment "${rule.comment}"`);
  // join builds one flat string; a `+=` rope would keep every piece alive as long as the rule.
  return parts.join(' ');
}

import { z } from 'zod';
import { counterFromDecimal, type CounterValue } from '../model/common';
import {
  NftObjrefType,
  NftFamily,
  type NftChain,
  type NftExpr,
  type NftMetainfo,
  type NftObject,
  type NftRaw,
  type NftRuleset,
  type NftSet,
  type NftStmt,
  type NftTable,
} from '../model/nftables';
import { jsonPathError, jsonTextParse, type JsonPath } from '../parse/json-text';
import { ParseError, quoteForError } from '../parse/parse-error';
import { nftPriorityNames, nftPriorityResolve } from './priority';

/**
 * Parses `nft -j list ruleset` (libnftables JSON, libnftables-json(5)) into the faithful nft model.
 * The document's outer shape is checked with zod; the (possibly hundreds of thousands of) rules are
 * normalized in one hand-written pass, because running a schema over every expression would cost
 * more than JSON.parse itself. Statements and expressions it does not know are kept raw.
 */

// Only the outer shape goes through zod: an array check that does not walk the elements.
const Document = z.object({ nftables: z.custom<unknown[]>((v) => Array.isArray(v)) });

type Json = NftRaw;
type JsonObject = { [key: string]: Json | undefined };

// Deeper than any ruleset nft prints; a bound keeps hostile input from exhausting the stack.
const MAX_DEPTH = 256;

const MATCH_OPS = new Set(['==', '!=', '<', '>', '<=', '>=', 'in', '!']);
const OBJREFS: ReadonlySet<string> = new Set(NftObjrefType.options);

/** A shape error; its position is found in the text only when it is thrown. */
class ShapeError extends Error {
  constructor(
    readonly path: JsonPath,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return quoteForError(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'an array';
  return 'an object';
}

function expected(path: JsonPath, what: string, v: unknown): ShapeError {
  return new ShapeError(path, `expected ${what}, found ${describe(v)}`);
}

/** The single key of a ruleset element or statement object, or null. */
function soleKey(o: JsonObject): string | null {
  let key: string | null = null;
  for (const k in o) {
    if (key !== null) return null;
    key = k;
  }
  return key;
}

function str(o: JsonObject, key: string, path: JsonPath): string {
  const v = o[key];
  if (typeof v !== 'string') throw expected([...path, key], 'a string', v);
  return v;
}

function int(o: JsonObject, key: string, path: JsonPath): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw expected([...path, key], 'an integer', v);
  return v;
}

function optStr(o: JsonObject, key: string): string | null {
  const v = o[key];
  return typeof v === 'string' ? v : null;
}

function optNum(o: JsonObject, key: string): number | null {
  const v = o[key];
  return typeof v === 'number' ? v : null;
}

/** nft writes a one-item list as the bare item (`"flags": "interval"`). */
function strList(v: Json | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (typeof v === 'number') return [String(v)];
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  return [];
}

function counterValue(v: Json | undefined): CounterValue | null {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 64) return null;
  // Past 2^53 JSON.parse has already rounded; keep the digits it gave rather than a float.
  return Number.isSafeInteger(v) ? v : counterFromDecimal(BigInt(v).toString());
}

// ---------------------------------------------------------------------------------------------
// Expressions

// Where the normalizer is, for the one error an expression can raise (nesting too deep). Plain
// fields set as it goes, so that no path is built unless that error happens.
const cursor = { item: 0, key: 'rule', stmt: -1 };

function cursorPath(): JsonPath {
  return cursor.stmt < 0
    ? ['nftables', cursor.item, cursor.key, 'elem']
    : ['nftables', cursor.item, cursor.key, 'expr', cursor.stmt];
}

function expr(v: Json | undefined, depth: number): NftExpr {
  if (depth > MAX_DEPTH)
    throw new ShapeError(cursorPath(), `expected expressions nested at most ${MAX_DEPTH} deep`);
  if (typeof v === 'string') {
    if (v === '*') return { kind: 'wildcard' };
    if (v.length > 1 && v.charCodeAt(0) === 0x40) return { kind: 'setref', name: v.slice(1) };
    return { kind: 'immediate', value: v };
  }
  if (typeof v === 'number' || typeof v === 'boolean') return { kind: 'immediate', value: v };
  if (Array.isArray(v)) return { kind: 'list', items: v.map((x) => expr(x, depth + 1)) };
  if (!isObject(v)) return { kind: 'unknown', raw: v ?? null };
  const key = soleKey(v);
  if (key === null) return { kind: 'unknown', raw: v };
  return keyedExpr(key, v[key], depth) ?? { kind: 'unknown', raw: v };
}

/** Elements of a set or map: `[key, value]` pairs are mappings. */
function element(v: Json | undefined, depth: number): NftExpr {
  if (Array.isArray(v) && v.length === 2) {
    return { kind: 'mapping', key: expr(v[0], depth + 1), value: expr(v[1], depth + 1) };
  }
  return expr(v, depth);
}

function elements(v: Json | undefined, depth: number): NftExpr[] {
  if (Array.isArray(v)) return v.map((x) => element(x, depth + 1));
  return v === undefined ? [] : [element(v, depth + 1)];
}

// Returns null when a known key has a shape this parser does not know; the caller keeps it raw.
function keyedExpr(key: string, body: Json | undefined, depth: number): NftExpr | null {
  const d = depth + 1;
  switch (key) {
    case '&':
    case '|':
    case '^':
    case '<<':
    case '>>':
      if (!Array.isArray(body) || body.length !== 2) return null;
      return { kind: 'binop', op: key, left: expr(body[0], d), right: expr(body[1], d) };
    case 'accept':
    case 'drop':
    case 'continue':
    case 'return':
    case 'queue':
      return { kind: 'verdict', verdict: key };
    case 'jump':
    case 'goto':
      if (!isObject(body) || typeof body.target !== 'string') return null;
      return { kind: 'verdict', verdict: key, target: body.target };
    case 'set':
      return { kind: 'set', elements: elements(body, d) };
    case 'concat':
      if (!Array.isArray(body)) return null;
      return { kind: 'concat', items: body.map((x) => expr(x, d)) };
    case 'range':
      if (!Array.isArray(body) || body.length !== 2) return null;
      return { kind: 'range', low: expr(body[0], d), high: expr(body[1], d) };
  }
  if (!isObject(body)) return null;
  switch (key) {
    case 'payload': {
      if (typeof body.protocol === 'string' && typeof body.field === 'string') {
        return { kind: 'payload', protocol: body.protocol, field: body.field };
      }
      if (typeof body.base === 'string' && typeof body.offset === 'number' && typeof body.len === 'number') {
        return { kind: 'rawPayload', base: body.base, offset: body.offset, len: body.len };
      }
      return null;
    }
    case 'meta':
      return typeof body.key === 'string' ? { kind: 'meta', key: body.key } : null;
    case 'ct': {
      if (typeof body.key !== 'string') return null;
      const dir = body.dir === 'original' || body.dir === 'reply' ? body.dir : null;
      const family = body.family === 'ip' || body.family === 'ip6' ? body.family : null;
      return { kind: 'ct', key: body.key, dir, family };
    }
    case 'fib':
      return typeof body.result === 'string'
        ? { kind: 'fib', result: body.result, flags: strList(body.flags) }
        : null;
    case 'prefix':
      if (typeof body.len !== 'number' || body.addr === undefined) return null;
      return { kind: 'prefix', addr: expr(body.addr, d), len: body.len };
    case 'map':
      if (body.key === undefined || body.data === undefined) return null;
      return { kind: 'map', key: expr(body.key, d), data: expr(body.data, d) };
    case 'numgen':
      if (typeof body.mode !== 'string' || typeof body.mod !== 'number') return null;
      return { kind: 'numgen', mode: body.mode, mod: body.mod, offset: optNum(body, 'offset') ?? 0 };
    case 'jhash':
      if (typeof body.mod !== 'number' || body.expr === undefined) return null;
      return {
        kind: 'jhash',
        mod: body.mod,
        offset: optNum(body, 'offset') ?? 0,
        seed: optNum(body, 'seed'),
        expr: expr(body.expr, d),
      };
    case 'symhash':
      return typeof body.mod === 'number'
        ? { kind: 'symhash', mod: body.mod, offset: optNum(body, 'offset') ?? 0 }
        : null;
    case 'elem': {
      if (body.val === undefined) return null;
      const c = body.counter;
      const counter =
        isObject(c) && isObject(c.counter) ? c.counter : isObject(c) && 'packets' in c ? c : null;
      const packets = counter ? counterValue(counter.packets) : null;
      const bytes = counter ? counterValue(counter.bytes) : null;
      return {
        kind: 'elem',
        value: expr(body.val, d),
        timeout: optNum(body, 'timeout'),
        expires: optNum(body, 'expires'),
        comment: optStr(body, 'comment'),
        counter: packets !== null && bytes !== null ? { packets, bytes } : null,
      };
    }
    case 'socket':
      return typeof body.key === 'string' ? { kind: 'socket', key: body.key } : null;
    case 'osf':
      return typeof body.key === 'string' ? { kind: 'osf', key: body.key, ttl: optStr(body, 'ttl') } : null;
    case 'rt':
      return typeof body.key === 'string'
        ? { kind: 'rt', key: body.key, family: optStr(body, 'family') }
        : null;
    case 'exthdr':
      return typeof body.name === 'string'
        ? { kind: 'exthdr', name: body.name, field: optStr(body, 'field'), offset: optNum(body, 'offset') }
        : null;
    case 'tcp option':
      return typeof body.name === 'string'
        ? { kind: 'tcpOption', name: body.name, field: optStr(body, 'field') }
        : null;
    case 'ip option':
      return typeof body.name === 'string'
        ? { kind: 'ipOption', name: body.name, field: optStr(body, 'field') }
        : null;
    case 'sctp chunk':
      return typeof body.name === 'string'
        ? { kind: 'sctpChunk', name: body.name, field: optStr(body, 'field') }
        : null;
    case 'ipsec':
      if (typeof body.key !== 'string' || typeof body.dir !== 'string') return null;
      return {
        kind: 'ipsec',
        key: body.key,
        dir: body.dir,
        spnum: optNum(body, 'spnum') ?? 0,
        family: optStr(body, 'family'),
      };
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Statements

// `depth` counts statements nested in statements (meter, set), which share the expression bound.
function stmt(v: Json | undefined, depth = 0): NftStmt {
  if (depth > MAX_DEPTH) {
    throw new ShapeError(cursorPath(), `expected expressions nested at most ${MAX_DEPTH} deep`);
  }
  if (!isObject(v)) return { kind: 'unknown', raw: v ?? null };
  const key = soleKey(v);
  if (key === null) return { kind: 'unknown', raw: v };
  return keyedStmt(key, v[key], depth) ?? { kind: 'unknown', raw: v };
}

function keyedStmt(key: string, body: Json | undefined, depth: number): NftStmt | null {
  switch (key) {
    case 'match': {
      if (!isObject(body) || typeof body.op !== 'string' || !MATCH_OPS.has(body.op)) return null;
      if (body.left === undefined || body.right === undefined) return null;
      return { kind: 'match', op: body.op as '==', left: expr(body.left, 1), right: expr(body.right, 1) };
    }
    case 'accept':
    case 'drop':
    case 'continue':
    case 'return':
      return { kind: 'verdict', verdict: key };
    case 'jump':
    case 'goto':
      if (!isObject(body) || typeof body.target !== 'string') return null;
      return { kind: 'verdict', verdict: key, target: body.target };
    case 'snat':
    case 'dnat':
    case 'masquerade':
    case 'redirect': {
      if (body !== null && !isObject(body)) return null;
      const b = body ?? {};
      const out: Extract<NftStmt, { kind: 'nat' }> = { kind: 'nat', type: key };
      if (b.family === 'ip' || b.family === 'ip6') out.family = b.family;
      if (b.addr !== undefined) out.addr = expr(b.addr, 1);
      if (b.port !== undefined) out.port = expr(b.port, 1);
      if (b.flags !== undefined) out.flags = strList(b.flags);
      if (b.type_flags !== undefined) out.typeFlags = strList(b.type_flags);
      return out;
    }
    case 'counter':
      if (body === null) return { kind: 'counter', packets: null, bytes: null };
      if (isObject(body) && ('packets' in body || 'bytes' in body)) {
        return { kind: 'counter', packets: counterValue(body.packets), bytes: counterValue(body.bytes) };
      }
      return { kind: 'objref', type: 'counter', ref: expr(body, 1) };
    case 'mangle':
      if (!isObject(body) || body.key === undefined || body.value === undefined) return null;
      return { kind: 'mangle', key: expr(body.key, 1), value: expr(body.value, 1) };
    case 'vmap':
      if (!isObject(body) || body.key === undefined || body.data === undefined) return null;
      return { kind: 'vmap', key: expr(body.key, 1), data: expr(body.data, 1) };
    case 'set': {
      if (!isObject(body) || typeof body.set !== 'string' || body.elem === undefined) return null;
      const op = body.op;
      if (op !== 'add' && op !== 'update' && op !== 'delete') return null;
      const inner = Array.isArray(body.stmt) ? body.stmt : body.stmt !== undefined ? [body.stmt] : [];
      return {
        kind: 'set',
        op,
        elem: expr(body.elem, 1),
        set: body.set.replace(/^@/, ''),
        stmts: inner.map((s) => stmt(s, depth + 1)),
      };
    }
    case 'log': {
      if (body !== null && !isObject(body)) return null;
      const b = body ?? {};
      return {
        kind: 'log',
        prefix: optStr(b, 'prefix'),
        group: optNum(b, 'group'),
        snaplen: optNum(b, 'snaplen'),
        queueThreshold: optNum(b, 'queue-threshold'),
        level: optStr(b, 'level'),
        flags: strList(b.flags),
      };
    }
    case 'limit':
      if (typeof body === 'string') return { kind: 'objref', type: 'limit', ref: expr(body, 1) };
      if (!isObject(body) || typeof body.rate !== 'number') return null;
      return {
        kind: 'limit',
        rate: body.rate,
        rateUnit: body.rate_unit === 'packets' ? null : optStr(body, 'rate_unit'),
        per: optStr(body, 'per') ?? 'second',
        burst: optNum(body, 'burst') ?? 0,
        burstUnit: optStr(body, 'burst_unit'),
        inv: body.inv === true,
      };
    case 'quota':
      if (typeof body === 'string') return { kind: 'objref', type: 'quota', ref: expr(body, 1) };
      if (!isObject(body) || typeof body.val !== 'number') return null;
      return {
        kind: 'quota',
        val: body.val,
        valUnit: optStr(body, 'val_unit') ?? 'bytes',
        used: optNum(body, 'used') ?? 0,
        usedUnit: optStr(body, 'used_unit') ?? 'bytes',
        inv: body.inv === true,
      };
    case 'reject': {
      if (body !== null && !isObject(body)) return null;
      const b = body ?? {};
      return { kind: 'reject', type: optStr(b, 'type'), expr: b.expr === undefined ? null : expr(b.expr, 1) };
    }
    case 'notrack':
      return { kind: 'notrack' };
    case 'queue': {
      if (body !== null && !isObject(body)) return null;
      const b = body ?? {};
      return { kind: 'queue', num: b.num === undefined ? null : expr(b.num, 1), flags: strList(b.flags) };
    }
    case 'dup': {
      if (body !== null && !isObject(body)) return null;
      const b = body ?? {};
      return {
        kind: 'dup',
        addr: b.addr === undefined ? null : expr(b.addr, 1),
        dev: b.dev === undefined ? null : expr(b.dev, 1),
      };
    }
    case 'fwd':
      if (!isObject(body) || body.dev === undefined) return null;
      return {
        kind: 'fwd',
        dev: expr(body.dev, 1),
        family: optStr(body, 'family'),
        addr: body.addr === undefined ? null : expr(body.addr, 1),
      };
    case 'tproxy':
      if (!isObject(body)) return null;
      return {
        kind: 'tproxy',
        family: optStr(body, 'family'),
        addr: body.addr === undefined ? null : expr(body.addr, 1),
        port: body.port === undefined ? null : expr(body.port, 1),
      };
    case 'synproxy':
      if (typeof body === 'string') return { kind: 'objref', type: 'synproxy', ref: expr(body, 1) };
      if (body !== null && !isObject(body)) return null;
      return {
        kind: 'synproxy',
        mss: optNum(body ?? {}, 'mss'),
        wscale: optNum(body ?? {}, 'wscale'),
        flags: strList((body ?? {}).flags),
      };
    case 'ct count':
      if (!isObject(body) || typeof body.val !== 'number') return null;
      return { kind: 'ctCount', val: body.val, inv: body.inv === true };
    case 'meter':
      if (!isObject(body) || body.key === undefined || body.stmt === undefined) return null;
      return {
        kind: 'meter',
        name: optStr(body, 'name'),
        size: optNum(body, 'size'),
        key: expr(body.key, 1),
        stmt: stmt(body.stmt, depth + 1),
      };
    case 'flow':
      if (!isObject(body) || typeof body.op !== 'string' || typeof body.flowtable !== 'string') return null;
      return { kind: 'flow', op: body.op, flowtable: body.flowtable.replace(/^@/, '') };
    case 'xt':
      if (!isObject(body) || typeof body.name !== 'string') return null;
      if (body.type !== 'match' && body.type !== 'target' && body.type !== 'watcher') return null;
      return { kind: 'xt', type: body.type, name: body.name };
    default:
      if (OBJREFS.has(key) && body !== undefined && body !== null) {
        return { kind: 'objref', type: key as 'ct helper', ref: expr(body, 1) };
      }
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Ruleset elements

interface TableState {
  table: NftTable;
  chains: Map<string, NftChain>;
  sets: Map<string, NftSet>;
}

function tableKey(family: string, name: string): string {
  return `${family} ${name}`;
}

const FAMILIES: ReadonlySet<unknown> = new Set(NftFamily.options);

function family(o: JsonObject, path: JsonPath): NftTable['family'] {
  const v = o.family;
  if (!FAMILIES.has(v))
    throw expected([...path, 'family'], 'a family (ip, ip6, inet, arp, bridge, netdev)', v);
  return v as NftTable['family'];
}

function ownerTable(tables: Map<string, TableState>, o: JsonObject, path: JsonPath): TableState {
  const fam = family(o, path);
  const name = str(o, 'table', path);
  const t = tables.get(tableKey(fam, name));
  if (!t)
    throw new ShapeError(
      [...path, 'table'],
      `expected a table declared before this element, found ${fam} ${name}`,
    );
  return t;
}

function parseChain(o: JsonObject, path: JsonPath, fam: NftTable['family']): NftChain {
  const name = str(o, 'name', path);
  let base: NftChain['base'] = null;
  if (o.hook !== undefined || o.type !== undefined) {
    const hook = str(o, 'hook', path);
    const type = str(o, 'type', path);
    const prio = o.prio;
    let priority: number | null = null;
    if (typeof prio === 'number' && Number.isInteger(prio)) priority = prio;
    else if (typeof prio === 'string') priority = nftPriorityResolve(fam, hook, prio);
    else if (prio === undefined) priority = 0;
    if (priority === null) {
      const names = nftPriorityNames(fam, hook).join(', ');
      throw expected(
        [...path, 'prio'],
        `a priority number or a name valid for ${fam} ${hook} (${names})`,
        prio,
      );
    }
    const policy = o.policy === undefined ? 'accept' : o.policy;
    if (policy !== 'accept' && policy !== 'drop')
      throw expected([...path, 'policy'], "'accept' or 'drop'", policy);
    const devices = strList(o.dev ?? o.device);
    base = { type, hook, priority, policy, devices };
  }
  return { name, handle: int(o, 'handle', path), comment: optStr(o, 'comment'), base, rules: [] };
}

function parseSet(o: JsonObject, path: JsonPath, isMap: boolean, isMeter: boolean): NftSet {
  const type = strList(o.type).flatMap((t) => t.split(' . '));
  // A map's data type; a concatenation may come as a list, like the key type.
  const map = isMap ? (Array.isArray(o.map) ? strList(o.map).join(' . ') : str(o, 'map', path)) : null;
  return {
    name: str(o, 'name', path),
    handle: int(o, 'handle', path),
    type,
    map,
    meter: isMeter,
    flags: strList(o.flags),
    policy: optStr(o, 'policy'),
    size: optNum(o, 'size'),
    timeout: optNum(o, 'timeout'),
    gcInterval: optNum(o, 'gc-interval'),
    comment: optStr(o, 'comment'),
    elements: elements(o.elem, 0),
  };
}

function parseMetainfo(o: JsonObject): NftMetainfo {
  return {
    version: optStr(o, 'version'),
    releaseName: optStr(o, 'release_name'),
    jsonSchemaVersion: optNum(o, 'json_schema_version'),
  };
}

interface RuleState {
  tables: Map<string, TableState>;
  // Consecutive rules almost always share a table and chain; the last ones are remembered.
  lastTable: TableState | null;
  lastChain: NftChain | null;
}

/** Adds a rule to its chain; false when the chain is not declared (yet), unless `final`. */
function addRule(state: RuleState, o: JsonObject, index: number, final: boolean): boolean {
  cursor.item = index;
  cursor.key = 'rule';
  let t = state.lastTable;
  if (t === null || o.family !== t.table.family || o.table !== t.table.name) {
    t = ownerTable(state.tables, o, ['nftables', index, 'rule']);
    state.lastTable = t;
    state.lastChain = null;
  }
  let chain = state.lastChain;
  if (chain === null || o.chain !== chain.name) {
    const chainName = str(o, 'chain', ['nftables', index, 'rule']);
    chain = t.chains.get(chainName) ?? null;
    if (chain === null) {
      if (!final) return false;
      const where = `${t.table.family} ${t.table.name}`;
      throw expected(['nftables', index, 'rule', 'chain'], `a chain declared in table ${where}`, chainName);
    }
    state.lastChain = chain;
  }
  const exprs = o.expr === undefined ? [] : o.expr;
  if (!Array.isArray(exprs))
    throw expected(['nftables', index, 'rule', 'expr'], 'an array of statements', exprs);
  const stmts = new Array<NftStmt>(exprs.length);
  for (let k = 0; k < exprs.length; k++) {
    cursor.stmt = k;
    stmts[k] = stmt(exprs[k]);
  }
  const handle = o.handle;
  if (typeof handle !== 'number' || !Number.isInteger(handle)) {
    throw expected(['nftables', index, 'rule', 'handle'], 'an integer', handle);
  }
  const comment = typeof o.comment === 'string' ? o.comment : null;
  chain.rules.push({
    handle,
    index: chain.rules.length + 1,
    comment,
    stmts,
  });
  return true;
}

function normalize(items: unknown[]): NftRuleset {
  const ruleset: NftRuleset = {
    metainfo: { version: null, releaseName: null, jsonSchemaVersion: null },
    tables: [],
  };
  const tables = new Map<string, TableState>();
  const rules: RuleState = { tables, lastTable: null, lastChain: null };
  // nft prints a chain before its rules; a rule that comes first waits until the end.
  const deferred: { o: JsonObject; index: number }[] = [];

  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Json;
    // Drop the parsed JSON as it is consumed, so the garbage collector traces less of it.
    items[i] = undefined;
    if (!isObject(item))
      throw expected(['nftables', i], 'a ruleset element object such as {"table": {…}}', item);
    const key = soleKey(item);
    if (key === null) {
      const keys = Object.keys(item)
        .slice(0, 5)
        .map((k) => quoteForError(k))
        .join(', ');
      const what = 'an object with exactly one key (table, chain, rule, set, map, …)';
      throw new ShapeError(['nftables', i], `expected ${what}, found ${keys || 'none'}`);
    }
    const o = item[key];
    // Rules are most of a dump: no path is built for them unless something is wrong.
    if (key === 'rule' && isObject(o)) {
      if (!addRule(rules, o, i, false)) deferred.push({ o, index: i });
      continue;
    }
    const path: JsonPath = ['nftables', i];
    const p: JsonPath = [...path, key];
    if (key !== 'metainfo' && !isObject(o)) throw expected(p, `the ${key} as an object`, o);
    const body = o as JsonObject;
    switch (key) {
      case 'metainfo':
        if (!isObject(o)) throw expected(p, 'the metainfo as an object', o);
        ruleset.metainfo = parseMetainfo(o);
        break;
      case 'table': {
        const fam = family(body, p);
        const name = str(body, 'name', p);
        const k = tableKey(fam, name);
        if (tables.has(k)) throw new ShapeError(p, `expected each table once, found ${fam} ${name} again`);
        const table: NftTable = {
          family: fam,
          name,
          handle: int(body, 'handle', p),
          flags: strList(body.flags),
          comment: optStr(body, 'comment'),
          chains: [],
          sets: [],
          flowtables: [],
          objects: [],
          managedBy: null,
        };
        const sets = new Map<string, NftSet>();
        tables.set(k, { table, chains: new Map(), sets });
        ruleset.tables.push(table);
        break;
      }
      case 'chain': {
        const t = ownerTable(tables, body, p);
        const chain = parseChain(body, p, t.table.family);
        if (t.chains.has(chain.name))
          throw new ShapeError(p, `expected each chain once, found ${chain.name} again`);
        t.chains.set(chain.name, chain);
        t.table.chains.push(chain);
        break;
      }
      case 'set':
      case 'map':
      case 'meter': {
        const t = ownerTable(tables, body, p);
        Object.assign(cursor, { item: i, key, stmt: -1 });
        const set = parseSet(body, p, key === 'map', key === 'meter');
        t.sets.set(set.name, set);
        t.table.sets.push(set);
        break;
      }
      case 'element': {
        // `nft -j list set` style element lists: merged into their set.
        const t = ownerTable(tables, body, p);
        const name = str(body, 'name', p);
        const set = t.sets.get(name);
        if (!set)
          throw expected(
            [...p, 'name'],
            `a set declared earlier in table ${t.table.family} ${t.table.name}`,
            name,
          );
        Object.assign(cursor, { item: i, key, stmt: -1 });
        set.elements.push(...elements(body.elem, 0));
        break;
      }
      case 'flowtable': {
        const t = ownerTable(tables, body, p);
        const hook = optStr(body, 'hook') ?? 'ingress';
        const prio = body.prio;
        const priority =
          typeof prio === 'number'
            ? prio
            : typeof prio === 'string'
              ? nftPriorityResolve('netdev', hook, prio)
              : 0;
        if (priority === null) throw expected([...p, 'prio'], 'a priority number or name', prio);
        t.table.flowtables.push({
          name: str(body, 'name', p),
          handle: int(body, 'handle', p),
          hook,
          priority,
          devices: strList(body.dev),
        });
        break;
      }
      default: {
        // Named stateful objects (counter, quota, ct helper, limit, …) and any newer kind: kept raw.
        if (typeof body.table !== 'string' || typeof body.name !== 'string') {
          const what = 'a ruleset element (table, chain, rule, set, map, flowtable or a named object)';
          throw new ShapeError(path, `expected ${what}, found ${quoteForError(key)}`);
        }
        const t = ownerTable(tables, body, p);
        const object: NftObject = {
          type: key,
          name: body.name,
          handle: optNum(body, 'handle'),
          raw: body as NftRaw,
        };
        t.table.objects.push(object);
      }
    }
  }

  for (const { o, index } of deferred) addRule(rules, o, index, true);
  return ruleset;
}

/**
 * Parses the output of `nft -j list ruleset`. Throws ParseError, and only ParseError, naming the
 * file, line and column and what was expected.
 */
export function parseNftJson(text: string, opts: { file: string }): NftRuleset {
  const { file } = opts;
  if (typeof text !== 'string') throw new ParseError(file, 1, 1, `expected text, found ${describe(text)}`);
  const doc = jsonTextParse(text, file, 'the JSON object `nft -j list ruleset` prints');
  const outer = Document.safeParse(doc);
  if (!outer.success) {
    if (!isObject(doc)) {
      throw jsonPathError(text, file, [], `expected an object {"nftables": [...]}, found ${describe(doc)}`);
    }
    if (!('nftables' in doc)) {
      const reason =
        'expected an object {"nftables": [...]} as `nft -j list ruleset` prints, found no "nftables" key';
      throw jsonPathError(text, file, [], reason);
    }
    const reason = `expected an array of ruleset elements, found ${describe(doc.nftables)}`;
    throw jsonPathError(text, file, ['nftables'], reason);
  }
  try {
    return normalize(outer.data.nftables);
  } catch (e) {
    if (e instanceof ShapeError) throw jsonPathError(text, file, e.path, e.reason);
    if (e instanceof ParseError) throw e;
    // A bug here must still surface as the one error type callers handle.
    throw new ParseError(
      file,
      1,
      1,
      `could not read the ruleset: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

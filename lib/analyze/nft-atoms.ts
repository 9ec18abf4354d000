import type { IpFamily } from '../model/common';
import type { NftExpr, NftRule, NftSet, NftStmt, NftTable } from '../model/nftables';
import { nftTableRenderContext, renderNftStmt } from '../nftables/render-text';
import type { AddressSet } from './address-set';
import { addressSetComplement, addressSetParse } from './address-set';
import type { Atom } from './atoms';
import { ifacePatternParse } from './iface-pattern';
import { protocolKey } from './ipt-atoms';
import type { NumberRanges } from './value-sets';
import { numberRangesComplement, numberRangesNormalize } from './value-sets';

/**
 * An nft rule's match statements as atoms (atoms.ts): addresses, ports, protocols, interface
 * names, ct state, fib address types and marks become dimensions; lookups in dynamic sets (kube-proxy's
 * affinity sets) are stateful; anything else is compared only as itself.
 */

type Match = Extract<NftStmt, { kind: 'match' }>;

const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite', 'th']);

function unwrap(e: NftExpr): NftExpr {
  return e.kind === 'elem' ? e.value : e;
}

function setOf(table: NftTable, name: string): NftSet | undefined {
  return table.sets.find((s) => s.name === name);
}

/** A set filled from the packet path: whether a packet matches depends on earlier packets. */
export function nftSetDynamic(set: NftSet): boolean {
  return set.flags.includes('dynamic') || set.meter || set.flags.includes('timeout');
}

/** The constants a right-hand side stands for: itself, an anonymous set's elements, a static named set's. */
function rightValues(table: NftTable, right: NftExpr): NftExpr[] | null {
  const r = unwrap(right);
  if (r.kind === 'set') return r.elements.map(unwrap);
  if (r.kind === 'setref') {
    const set = setOf(table, r.name);
    if (!set || set.map !== null || nftSetDynamic(set)) return null;
    return set.elements.map(unwrap);
  }
  return [r];
}

function addressText(e: NftExpr): string | null {
  if (e.kind === 'immediate' && typeof e.value === 'string') return e.value;
  if (e.kind === 'prefix' && e.addr.kind === 'immediate') return `${e.addr.value}/${e.len}`;
  if (e.kind === 'range' && e.low.kind === 'immediate' && e.high.kind === 'immediate')
    return `${e.low.value}-${e.high.value}`;
  return null;
}

function addressSetOf(values: NftExpr[], family: IpFamily): AddressSet | null {
  const ranges: (readonly [bigint, bigint])[] = [];
  for (const v of values) {
    const text = addressText(v);
    const s = text === null ? null : addressSetParse(text, family);
    if (!s) return null;
    ranges.push(...s.ranges);
  }
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: [bigint, bigint][] = [];
  for (const [from, to] of ranges) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1] + 1n) last[1] = last[1] > to ? last[1] : to;
    else merged.push([from, to]);
  }
  return { family, ranges: merged };
}

function portNumber(e: NftExpr): number | null {
  if (e.kind !== 'immediate') return null;
  const n = typeof e.value === 'number' ? e.value : Number(e.value);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null;
}

function portRangesOf(values: NftExpr[]): NumberRanges | null {
  const out: [number, number][] = [];
  for (const v of values) {
    if (v.kind === 'range') {
      const lo = portNumber(v.low);
      const hi = portNumber(v.high);
      if (lo === null || hi === null) return null;
      out.push([lo, hi]);
    } else {
      const p = portNumber(v);
      if (p === null) return null;
      out.push([p, p]);
    }
  }
  return numberRangesNormalize(out);
}

function immediateStrings(values: NftExpr[]): string[] | null {
  const out: string[] = [];
  for (const v of values) {
    if (v.kind === 'immediate') out.push(String(v.value));
    else if (v.kind === 'list' && v.items.every((i) => i.kind === 'immediate'))
      out.push(...v.items.map((i) => String((i as { value: unknown }).value)));
    else return null;
  }
  return out;
}

function positive(op: Match['op']): boolean | null {
  if (op === '==' || op === 'in') return true;
  if (op === '!=') return false;
  return null;
}

function matchAtoms(stmt: Match, table: NftTable, text: string, out: Atom[]): void {
  const opaque = (): void =>
    void out.push({ kind: 'opaque', key: text, text, cond: { value: text, negate: false } });
  const pos = positive(stmt.op);
  const left = stmt.left;
  const right = unwrap(stmt.right);
  const values = pos === null ? null : rightValues(table, right);
  const cond = (value: string) => ({ value, negate: pos === false });

  if (right.kind === 'setref') {
    const set = setOf(table, right.name);
    if (set && nftSetDynamic(set)) {
      out.push({
        kind: 'stateful',
        affinity: { name: set.name, seconds: set.timeout },
        text,
        cond: { value: text, negate: false },
      });
      return;
    }
  }
  if (hasUnknown(left) || hasUnknown(right)) {
    out.push({
      kind: 'unknown',
      reason: 'an expression packetlens does not interpret',
      text,
      cond: { value: text, negate: false },
    });
    return;
  }
  if (pos === null || values === null) return opaque();

  if (
    left.kind === 'payload' &&
    (left.protocol === 'ip' || left.protocol === 'ip6') &&
    (left.field === 'saddr' || left.field === 'daddr')
  ) {
    const set = addressSetOf(values, left.protocol);
    if (!set) return opaque();
    out.push({
      kind: 'addr',
      dim: left.field === 'saddr' ? 'src' : 'dst',
      set: pos ? set : addressSetComplement(set),
      text,
      cond: cond(values.map((v) => addressText(v)).join(',')),
    });
    return;
  }
  if (
    left.kind === 'payload' &&
    PORT_PROTOCOLS.has(left.protocol) &&
    (left.field === 'sport' || left.field === 'dport')
  ) {
    const ranges = portRangesOf(values);
    if (!ranges) return opaque();
    // `tcp dport` also says the packet is TCP, whatever the operator; `th` does not name one.
    if (left.protocol !== 'th') {
      const key = protocolKey(left.protocol);
      if (key)
        out.push({
          kind: 'names',
          dim: 'proto',
          set: { values: new Set([key]), complement: false },
          text,
          cond: { value: left.protocol, negate: false },
        });
    }
    out.push({
      kind: 'port',
      dim: left.field,
      ranges: pos ? ranges : numberRangesComplement(ranges, 65535),
      text,
      cond: cond(ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(',')),
    });
    return;
  }
  const isProto =
    (left.kind === 'meta' && left.key === 'l4proto') ||
    (left.kind === 'payload' &&
      ((left.protocol === 'ip' && left.field === 'protocol') ||
        (left.protocol === 'ip6' && left.field === 'nexthdr')));
  if (isProto) {
    const names = immediateStrings(values);
    const keys = names?.map(protocolKey);
    if (!names || !keys || keys.some((k) => k === null)) return opaque();
    out.push({
      kind: 'names',
      dim: 'proto',
      set: { values: new Set(keys as string[]), complement: !pos },
      text,
      cond: cond(names.join(',')),
    });
    return;
  }
  if (left.kind === 'meta' && (left.key === 'iifname' || left.key === 'oifname')) {
    const names = immediateStrings(values);
    if (!names || names.length !== 1) return opaque();
    out.push({
      kind: 'iface',
      dim: left.key === 'iifname' ? 'in' : 'out',
      pattern: ifacePatternParse(names[0]!, !pos, '*'),
      text,
      cond: cond(names[0]!),
    });
    return;
  }
  if (left.kind === 'ct' && left.key === 'state' && left.dir === null) {
    const states = immediateStrings(values);
    if (!states) return opaque();
    out.push({
      kind: 'ctstate',
      states: new Set(states.map((s) => s.toUpperCase())),
      negate: !pos,
      text,
      cond: cond(states.join(',')),
    });
    return;
  }
  if (
    left.kind === 'fib' &&
    left.result === 'type' &&
    left.flags.length === 1 &&
    (left.flags[0] === 'saddr' || left.flags[0] === 'daddr')
  ) {
    const types = immediateStrings(values);
    if (!types) return opaque();
    out.push({
      kind: 'names',
      dim: left.flags[0] === 'saddr' ? 'srcType' : 'dstType',
      set: { values: new Set(types.map((t) => t.toUpperCase())), complement: !pos },
      text,
      cond: cond(types.join(',')),
    });
    return;
  }
  const markKey = (e: NftExpr): 'mark' | 'connmark' | null =>
    e.kind === 'meta' && e.key === 'mark'
      ? 'mark'
      : e.kind === 'ct' && e.key === 'mark' && e.dir === null
        ? 'connmark'
        : null;
  const direct = markKey(left);
  const masked =
    left.kind === 'binop' && left.op === '&' && markKey(left.left) !== null ? markKey(left.left) : null;
  if ((direct || masked) && values.length === 1 && values[0]!.kind === 'immediate') {
    const value = Number(values[0]!.value);
    const mask =
      masked && left.kind === 'binop' && left.right.kind === 'immediate'
        ? Number(left.right.value)
        : direct
          ? 0xffffffff
          : NaN;
    if (!Number.isInteger(value) || !Number.isInteger(mask)) return opaque();
    out.push({
      kind: 'mark',
      dim: (direct ?? masked)!,
      value: value >>> 0,
      mask: mask >>> 0,
      negate: !pos,
      text,
      cond: cond(markText(value >>> 0, mask >>> 0)),
    });
    return;
  }
  opaque();
}

/** A mark condition as iptables-save writes one: `0x4000/0x4000`, or `0x1` for all 32 bits. */
export function markText(value: number, mask: number): string {
  return mask === 0xffffffff ? `0x${value.toString(16)}` : `0x${value.toString(16)}/0x${mask.toString(16)}`;
}

function hasUnknown(e: NftExpr): boolean {
  switch (e.kind) {
    case 'unknown':
      return true;
    case 'binop':
      return hasUnknown(e.left) || hasUnknown(e.right);
    case 'prefix':
      return hasUnknown(e.addr);
    case 'range':
      return hasUnknown(e.low) || hasUnknown(e.high);
    case 'set':
    case 'concat':
    case 'list':
      return ('elements' in e ? e.elements : e.items).some(hasUnknown);
    case 'elem':
      return hasUnknown(e.value);
    case 'mapping':
      return hasUnknown(e.key) || hasUnknown(e.value);
    case 'map':
      return hasUnknown(e.key) || hasUnknown(e.data);
    case 'jhash':
      return hasUnknown(e.expr);
    default:
      return false;
  }
}

/** A statement's text as `nft list ruleset` prints it. */
export function nftStmtText(table: NftTable, stmt: NftStmt): string {
  return renderNftStmt(stmt, nftTableRenderContext(table));
}

/** The atoms of one match statement. */
export function nftMatchAtoms(table: NftTable, stmt: Match): Atom[] {
  const out: Atom[] = [];
  matchAtoms(stmt, table, nftStmtText(table, stmt), out);
  return out;
}

/**
 * The conditions a rule tests before it acts: its match statements up to the first statement that
 * changes the packet or its marks (later matches would see the changed values).
 */
export function nftRuleAtoms(table: NftTable, rule: NftRule): Atom[] {
  const out: Atom[] = [];
  for (const stmt of rule.stmts) {
    if (stmt.kind === 'match') matchAtoms(stmt, table, nftStmtText(table, stmt), out);
    else if (stmt.kind === 'counter' || stmt.kind === 'log') continue;
    else if (
      stmt.kind === 'limit' ||
      stmt.kind === 'quota' ||
      stmt.kind === 'ctCount' ||
      stmt.kind === 'meter'
    ) {
      const text = nftStmtText(table, stmt);
      out.push({ kind: 'stateful', affinity: null, text, cond: { value: text, negate: false } });
    } else break;
  }
  return out;
}

import type { IpFamily } from '../model/common';
import type { IptMatch, IptRule, NegatableValue } from '../model/iptables';
import { portRangeFormat, type PortRange } from '../iptables/option-codecs';
import { renderMatchSpec } from '../iptables/render-save';
import type { AddressSet } from './address-set';
import { addressSetComplement, addressSetParse } from './address-set';
import type { Atom } from './atoms';
import { ifacePatternParse } from './iface-pattern';
import { statisticStepOf } from './statistic-cascade';
import type { NameSet } from './value-sets';
import { numberRangesComplement, numberRangesNormalize } from './value-sets';

/**
 * An iptables rule's conditions as atoms (atoms.ts): base options and typed match modules become
 * the dimensions they test; options compared only as themselves become opaque atoms; unknown
 * modules become unknown atoms. `-m comment` and `-m recent --set` (always true) add nothing.
 */

/** IANA protocol numbers for the names iptables accepts (from /etc/protocols). */
export const protocolNumbers: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  ipencap: 4,
  tcp: 6,
  egp: 8,
  udp: 17,
  dccp: 33,
  ipv6: 41,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  'ipv6-icmp': 58,
  ospf: 89,
  vrrp: 112,
  sctp: 132,
  udplite: 136,
};

/** A protocol name or number as its decimal number text; null for `all` and unknown names. */
export function protocolKey(value: string): string | null {
  if (/^\d+$/.test(value)) return value === '0' ? null : String(Number(value));
  const n = protocolNumbers[value.toLowerCase()];
  return n === undefined ? null : String(n);
}

function baseText(flag: string, v: NegatableValue): string {
  return `${v.negate ? '! ' : ''}${flag} ${v.value}`;
}

/**
 * One atom per condition that rules repeat (`! -s 10.0.0.0/8`, `-p tcp`, `-m tcp --dport 80`, a
 * service's address in its KUBE-SERVICES and KUBE-SVC rules): parsed once, and a walk sees by
 * identity that a rule repeats what its flow already requires. Found by the condition's value in
 * one map per kind of condition, so that no key is built per rule. Atoms are never changed.
 */
class ConditionAtoms<K> {
  private readonly maps: Map<K, Atom>[];

  constructor(kinds: number) {
    this.maps = Array.from({ length: kinds }, () => new Map<K, Atom>());
  }

  known(kind: number, key: K): Atom | undefined {
    return this.maps[kind]!.get(key);
  }

  keep(kind: number, key: K, atom: Atom): Atom {
    const map = this.maps[kind]!;
    if (map.size >= CONDITIONS_MAX) map.clear();
    map.set(key, atom);
    return atom;
  }
}

const CONDITIONS_MAX = 4096;
/** By family, direction and negation; keyed by the address as written. */
const addrAtoms = new ConditionAtoms<string>(8);
/** By negation; keyed by the protocol as written. */
const protoAtoms = new ConditionAtoms<string>(2);
/** By match (tcp, udp, sctp), direction and negation; keyed by from * 65536 + to. */
const portAtoms = new ConditionAtoms<number>(12);
const PORT_MATCHES = ['tcp', 'udp', 'sctp'];

function addrAtom(dim: 'src' | 'dst', v: NegatableValue, text: string, family: IpFamily): Atom {
  // iptables-restore expands `-s a,b` into one rule per address; as one condition that is a union.
  let set: AddressSet | null = null;
  for (const part of v.value.split(',')) {
    const s = addressSetParse(part, family);
    if (!s) return { kind: 'opaque', key: text, text, cond: v };
    set = set ? { family, ranges: mergeRanges([...set.ranges, ...s.ranges]) } : s;
  }
  return { kind: 'addr', dim, set: v.negate ? addressSetComplement(set!) : set!, text, cond: v };
}

function addrAtomShared(dim: 'src' | 'dst', v: NegatableValue, family: IpFamily): Atom {
  const kind = (family === 'ip' ? 0 : 4) + (dim === 'src' ? 0 : 2) + (v.negate ? 1 : 0);
  return (
    addrAtoms.known(kind, v.value) ??
    addrAtoms.keep(kind, v.value, addrAtom(dim, v, baseText(dim === 'src' ? '-s' : '-d', v), family))
  );
}

function mergeRanges(ranges: (readonly [bigint, bigint])[]): [bigint, bigint][] {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1] + 1n) last[1] = last[1] > to ? last[1] : to;
    else out.push([from, to]);
  }
  return out;
}

function portAtom(dim: 'sport' | 'dport', ranges: PortRange[], negate: boolean, t: MatchText): Atom {
  const r =
    ranges.length === 1
      ? [[ranges[0]!.from, ranges[0]!.to] as const]
      : numberRangesNormalize(ranges.map((p) => [p.from, p.to] as const));
  return {
    kind: 'port',
    dim,
    ranges: negate ? numberRangesComplement(r, 65535) : r,
    get text() {
      return t.text;
    },
    cond: { value: ranges.map(portRangeFormat).join(','), negate },
  };
}

type Options = Record<string, { value: unknown; negate: boolean } | undefined>;
type Option = { value: unknown; negate: boolean };

/**
 * A match (or one of its options) printed only when read: atoms are compared far more often than
 * printed, and printing every option of a 170,000-rule dump cost more than comparing them.
 */
class MatchText {
  private memo: string | undefined;
  constructor(
    private readonly m: IptMatch,
    private readonly key: string | null = null,
    private readonly o: Option | null = null,
  ) {}
  get text(): string {
    return (this.memo ??= renderMatchSpec(
      this.key === null ? this.m : ({ name: this.m.name, options: { [this.key]: this.o } } as IptMatch),
    ));
  }
}

/** An atom compared only as itself, its text printed when first needed. */
function opaqueAtom(t: MatchText): Atom {
  return {
    kind: 'opaque',
    get key() {
      return t.text;
    },
    get text() {
      return t.text;
    },
    get cond() {
      return { value: t.text, negate: false };
    },
  };
}

function opaqueOf(m: IptMatch, key: string, o: Option): Atom {
  return opaqueAtom(new MatchText(m, key, o));
}

const TIMED_MATCHES = new Set(['limit']);

function matchAtoms(m: IptMatch, family: IpFamily, out: Atom[]): void {
  if ('args' in m) {
    const text = renderMatchSpec(m);
    out.push({ kind: 'unknown', reason: m.reason, text, cond: { value: text, negate: false } });
    return;
  }
  const options = m.options as Options;
  switch (m.name) {
    case 'comment':
      return;
    case 'tcp':
    case 'udp':
    case 'sctp':
      for (const key in options) {
        const o = options[key];
        if (!o) continue;
        if (key === 'sport' || key === 'dport') {
          const r = o.value as PortRange;
          const kind = PORT_MATCHES.indexOf(m.name) * 4 + (key === 'sport' ? 0 : 2) + (o.negate ? 1 : 0);
          const k = r.from * 65536 + r.to;
          out.push(
            portAtoms.known(kind, k) ??
              portAtoms.keep(kind, k, portAtom(key, [r], o.negate, new MatchText(m, key, o))),
          );
        } else out.push(opaqueOf(m, key, o));
      }
      return;
    case 'multiport':
      for (const key in options) {
        const o = options[key];
        if (!o) continue;
        if (key === 'sports' || key === 'dports')
          out.push(
            portAtom(
              key === 'sports' ? 'sport' : 'dport',
              o.value as PortRange[],
              o.negate,
              new MatchText(m, key, o),
            ),
          );
        else out.push(opaqueOf(m, key, o));
      }
      return;
    case 'conntrack':
    case 'state':
      for (const key in options) {
        const o = options[key];
        if (!o) continue;
        if (key === 'ctstate' || key === 'state') {
          const t = new MatchText(m, key, o);
          out.push({
            kind: 'ctstate',
            states: new Set(o.value as string[]),
            negate: o.negate,
            get text() {
              return t.text;
            },
            cond: { value: (o.value as string[]).join(','), negate: o.negate },
          });
        } else out.push(opaqueOf(m, key, o));
      }
      return;
    case 'mark':
    case 'connmark': {
      const o = options.mark;
      if (!o) return;
      const v = o.value as { value: number; mask: number | null };
      const text = new MatchText(m, 'mark', o).text;
      out.push({
        kind: 'mark',
        dim: m.name,
        value: v.value >>> 0,
        mask: (v.mask ?? 0xffffffff) >>> 0,
        negate: o.negate,
        text,
        cond: { value: text.replace(/^-m \S+ (! )?--mark /, ''), negate: o.negate },
      });
      return;
    }
    case 'addrtype': {
      if (options.limitIfaceIn || options.limitIfaceOut) {
        out.push(opaqueAtom(new MatchText(m)));
        return;
      }
      for (const key of ['srcType', 'dstType'] as const) {
        const o = options[key];
        if (!o) continue;
        const types = o.value as string[];
        const t = new MatchText(m, key, o);
        out.push({
          kind: 'names',
          dim: key,
          set: { values: new Set(types.map((x) => x.toUpperCase())), complement: o.negate },
          get text() {
            return t.text;
          },
          cond: { value: types.join(','), negate: o.negate },
        });
      }
      return;
    }
    case 'statistic': {
      const t = new MatchText(m);
      out.push({
        kind: 'chance',
        step: statisticStepOf(m),
        get text() {
          return t.text;
        },
        get cond() {
          return { value: t.text, negate: false };
        },
      });
      return;
    }
    case 'recent': {
      const text = renderMatchSpec(m);
      // `--set` alone records the source and always matches; checks depend on what was recorded.
      if (options.set && !options.set.negate && !options.rcheck && !options.update && !options.remove) return;
      out.push({
        kind: 'stateful',
        affinity:
          options.rcheck || options.update
            ? {
                name: (options.name?.value as string | undefined) ?? 'DEFAULT',
                seconds: (options.seconds?.value as number | undefined) ?? null,
              }
            : null,
        text,
        cond: { value: text, negate: false },
      });
      return;
    }
    case 'iprange':
      for (const key of ['srcRange', 'dstRange'] as const) {
        const o = options[key];
        if (!o) continue;
        const text = new MatchText(m, key, o).text;
        const set = addressSetParse(o.value as string, family);
        if (!set) out.push({ kind: 'opaque', key: text, text, cond: { value: text, negate: false } });
        else
          out.push({
            kind: 'addr',
            dim: key === 'srcRange' ? 'src' : 'dst',
            set: o.negate ? addressSetComplement(set) : set,
            text,
            cond: { value: o.value as string, negate: o.negate },
          });
      }
      return;
    default: {
      if (TIMED_MATCHES.has(m.name)) {
        const text = renderMatchSpec(m);
        out.push({ kind: 'stateful', affinity: null, text, cond: { value: text, negate: false } });
      } else out.push(opaqueAtom(new MatchText(m)));
    }
  }
}

const protocolSets = new Map<string, NameSet>();

/** One shared, never-changed set per protocol: most rules of a dump name the same few. */
function protocolSet(key: string, complement: boolean): NameSet {
  const k = `${complement ? '!' : ''}${key}`;
  let set = protocolSets.get(k);
  if (!set) protocolSets.set(k, (set = { values: new Set([key]), complement }));
  return set;
}

/** The rule's conditions, in the order iptables-save prints them. */
export function iptRuleAtoms(rule: IptRule, family: IpFamily): Atom[] {
  const out: Atom[] = [];
  if (rule.src) out.push(addrAtomShared('src', rule.src, family));
  if (rule.dst) out.push(addrAtomShared('dst', rule.dst, family));
  for (const [dim, v, flag] of [
    ['in', rule.inIface, '-i'],
    ['out', rule.outIface, '-o'],
  ] as const) {
    if (!v) continue;
    out.push({
      kind: 'iface',
      dim,
      pattern: ifacePatternParse(v.value, v.negate, '+'),
      text: baseText(flag, v),
      cond: v,
    });
  }
  if (rule.proto) {
    const p = rule.proto;
    const known = protoAtoms.known(p.negate ? 1 : 0, p.value);
    if (known) out.push(known);
    else {
      const text = baseText('-p', p);
      const key = protocolKey(p.value);
      const all = /^(all|0)$/i.test(p.value);
      if (key !== null)
        out.push(
          protoAtoms.keep(p.negate ? 1 : 0, p.value, {
            kind: 'names',
            dim: 'proto',
            set: protocolSet(key, p.negate),
            text,
            cond: p,
          }),
        );
      else if (!all || p.negate) out.push({ kind: 'opaque', key: text, text, cond: p });
    }
  }
  if (rule.fragment) {
    const text = rule.fragment.negate ? '! -f' : '-f';
    out.push({ kind: 'opaque', key: text, text, cond: { value: text, negate: false } });
  }
  for (const m of rule.matches) matchAtoms(m, family, out);
  return out;
}

/** The dimensions `iptRuleDims` reports, each a bit of a mask. */
const DIM = {
  src: 1 << 0,
  dst: 1 << 1,
  in: 1 << 2,
  out: 1 << 3,
  proto: 1 << 4,
  sport: 1 << 5,
  dport: 1 << 6,
  ctstate: 1 << 7,
  mark: 1 << 8,
  connmark: 1 << 9,
  srcType: 1 << 10,
  dstType: 1 << 11,
} as const;

/** Each bit's name as `atomDim` spells it. */
const DIM_NAMES: readonly (readonly [number, string])[] = [
  [DIM.src, 'addr/src'],
  [DIM.dst, 'addr/dst'],
  [DIM.in, 'iface/in'],
  [DIM.out, 'iface/out'],
  [DIM.proto, 'names/proto'],
  [DIM.sport, 'port/sport'],
  [DIM.dport, 'port/dport'],
  [DIM.ctstate, 'ctstate'],
  [DIM.mark, 'mark/mark'],
  [DIM.connmark, 'mark/connmark'],
  [DIM.srcType, 'names/srcType'],
  [DIM.dstType, 'names/dstType'],
];

/** The dimensions a rule's conditions test, as a mask of DIM_NAMES bits. */
function iptRuleDimMask(rule: IptRule): number {
  let dims = 0;
  if (rule.src) dims |= DIM.src;
  if (rule.dst) dims |= DIM.dst;
  if (rule.inIface) dims |= DIM.in;
  if (rule.outIface) dims |= DIM.out;
  if (rule.proto) dims |= DIM.proto;
  for (const m of rule.matches) {
    if ('args' in m) continue;
    const o = m.options as Options;
    switch (m.name) {
      case 'tcp':
      case 'udp':
      case 'sctp':
      case 'multiport':
        if (o.sport || o.sports) dims |= DIM.sport;
        if (o.dport || o.dports) dims |= DIM.dport;
        break;
      case 'conntrack':
      case 'state':
        dims |= DIM.ctstate;
        break;
      case 'mark':
        dims |= DIM.mark;
        break;
      case 'connmark':
        dims |= DIM.connmark;
        break;
      case 'addrtype':
        if (o.srcType) dims |= DIM.srcType;
        if (o.dstType) dims |= DIM.dstType;
        break;
      case 'iprange':
        if (o.srcRange) dims |= DIM.src;
        if (o.dstRange) dims |= DIM.dst;
        break;
      default:
        break;
    }
  }
  return dims;
}

const sharedDims = new Map<number, readonly string[]>();

/**
 * The dimensions a rule's conditions test (as `atomDim` names them), read from the rule without
 * building its atoms: enough to know that it cannot contradict conditions on other dimensions.
 * One shared list per distinct set of dimensions.
 */
export function iptRuleDims(rule: IptRule): readonly string[] {
  const mask = iptRuleDimMask(rule);
  let dims = sharedDims.get(mask);
  if (!dims)
    sharedDims.set(
      mask,
      (dims = Object.freeze(DIM_NAMES.filter(([bit]) => mask & bit).map(([, name]) => name))),
    );
  return dims;
}

/** The rule names a destination: a positive address, a port, or a positive address type. */
export function iptRuleSelects(rule: IptRule): boolean {
  if (rule.dst && !rule.dst.negate) return true;
  for (const m of rule.matches) {
    if ('args' in m) continue;
    const o = m.options as Options;
    if (o.dport || o.dports) return true;
    if (m.name === 'addrtype' && o.dstType && !o.dstType.negate) return true;
    if (m.name === 'iprange' && o.dstRange && !o.dstRange.negate) return true;
  }
  return false;
}

/**
 * The rule's conditions are all ones a covers check can prove (no statistic, limit, recent check or
 * module packetlens does not interpret), read from the rule without building its atoms.
 */
export function iptRuleProvable(rule: IptRule): boolean {
  for (const m of rule.matches) {
    if ('args' in m) return false;
    if (m.name === 'statistic' || TIMED_MATCHES.has(m.name)) return false;
    if (m.name === 'recent') {
      const o = m.options as Options;
      if (!o.set || o.set.negate || o.rcheck || o.update || o.remove) return false;
    }
  }
  return true;
}

/**
 * Atoms of the rules that make up most of a large node (kube-proxy's `-m statistic` jumps and
 * `-p tcp ... -j DNAT` rules), shared between rules that test the same: a rule whose only
 * conditions are a protocol, port-less protocol matches, comments and one statistic match gets the
 * one list made for those conditions. Any other rule gets its own. Shared lists are never changed.
 */
const sharedAtoms = new Map<string, readonly Atom[]>();
const SHARED_MAX = 4096;
const PORTLESS = new Set(['tcp', 'udp', 'sctp']);

function optionKey(x: Option | undefined): string {
  return x ? `${x.negate ? '!' : ''}${String(x.value)}` : '-';
}

function noOptions(o: Options): boolean {
  for (const k in o) if (o[k] !== undefined) return false;
  return true;
}

function simpleKey(rule: IptRule, family: IpFamily): string | null {
  if (rule.src || rule.dst || rule.inIface || rule.outIface || rule.fragment) return null;
  let key = `${family} ${rule.proto ? `${rule.proto.negate ? '!' : ''}${rule.proto.value}` : ''}`;
  for (const m of rule.matches) {
    if ('args' in m) return null;
    if (m.name === 'comment') continue;
    const o = m.options as Options;
    if (PORTLESS.has(m.name) && noOptions(o)) continue;
    if (m.name !== 'statistic') return null;
    key += ` s ${optionKey(o.mode)} ${optionKey(o.probability)} ${optionKey(o.every)} ${optionKey(o.packet)}`;
  }
  return key;
}

export function iptRuleAtomsShared(rule: IptRule, family: IpFamily): readonly Atom[] {
  const key = simpleKey(rule, family);
  if (key === null) return iptRuleAtoms(rule, family);
  let atoms = sharedAtoms.get(key);
  if (!atoms) {
    if (sharedAtoms.size >= SHARED_MAX) sharedAtoms.clear();
    sharedAtoms.set(key, (atoms = Object.freeze(iptRuleAtoms(rule, family))));
  }
  return atoms;
}

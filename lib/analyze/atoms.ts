import type { AddressSet } from './address-set';
import { addressSetComplement, addressSetCovers, addressSetEmpty, addressSetIntersect } from './address-set';
import type { IfacePattern } from './iface-pattern';
import { ifacePatternCovers, ifacePatternDisjoint } from './iface-pattern';
import type { StatisticStep } from './statistic-cascade';
import type { NameSet, NumberRanges } from './value-sets';
import {
  nameSetCovers,
  nameSetEmpty,
  nameSetIntersect,
  numberRangesCovers,
  numberRangesIntersect,
} from './value-sets';

/**
 * A rule's match conditions as a conjunction of atoms, one per condition, each on one dimension
 * of the packet. iptables rules (ipt-atoms.ts) and nft rules (nft-atoms.ts) become the same atoms,
 * so "every packet this rule matches, that rule matches too" is one sound check for both: it only
 * answers yes when it can prove it, and anything it does not understand makes it answer no.
 */

/** A condition as the rule wrote it, for display: `{ value: '10.0.0.0/8', negate: true }`. */
export interface AtomCondition {
  value: string;
  negate: boolean;
}

interface AtomBase {
  /** The condition in the rule's own syntax, e.g. `! -s 10.0.0.0/8` or `ip saddr != 10.0.0.0/8`. */
  text: string;
  cond: AtomCondition;
}

export type Atom =
  | (AtomBase & { kind: 'addr'; dim: 'src' | 'dst'; set: AddressSet })
  | (AtomBase & { kind: 'port'; dim: 'sport' | 'dport'; ranges: NumberRanges })
  /** Members are protocol numbers, address types or interface kinds as decimal or upper-case text. */
  | (AtomBase & { kind: 'names'; dim: 'proto' | 'srcType' | 'dstType'; set: NameSet })
  | (AtomBase & { kind: 'iface'; dim: 'in' | 'out'; pattern: IfacePattern })
  | (AtomBase & { kind: 'ctstate'; states: ReadonlySet<string>; negate: boolean })
  | (AtomBase & { kind: 'mark'; dim: 'mark' | 'connmark'; value: number; mask: number; negate: boolean })
  /** Understood only as itself: implied by an identical condition. */
  | (AtomBase & { kind: 'opaque'; key: string })
  /** Matches a share of packets (statistic, numgen): never implied by another rule. */
  | (AtomBase & { kind: 'chance'; step: StatisticStep | null })
  /** Depends on state the rules keep (recent, limit, dynamic sets): implied only by itself. */
  | (AtomBase & { kind: 'stateful'; affinity: { name: string; seconds: number | null } | null })
  /** A module or expression packetlens does not interpret: implied only by itself. */
  | (AtomBase & { kind: 'unknown'; reason: string });

export type AtomKind = Atom['kind'];

// Spelled out rather than built: walks ask for an atom's dimension hundreds of thousands of times.
const DIMS: Partial<Record<Atom['kind'], Readonly<Record<string, string>>>> = {
  addr: { src: 'addr/src', dst: 'addr/dst' },
  port: { sport: 'port/sport', dport: 'port/dport' },
  names: { proto: 'names/proto', srcType: 'names/srcType', dstType: 'names/dstType' },
  iface: { in: 'iface/in', out: 'iface/out' },
  mark: { mark: 'mark/mark', connmark: 'mark/connmark' },
};

/** The dimension an atom tests, for the atoms that can contradict one another (`addr/dst`, `ctstate`). */
export function atomDim(a: Atom): string {
  if (a.kind === 'ctstate') return 'ctstate';
  return 'dim' in a ? (DIMS[a.kind]?.[a.dim] ?? 'other') : 'other';
}

// Conntrack's base states: a packet has exactly one. SNAT and DNAT are extra flags beside one.
const CT_BASE_STATES = new Set(['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED']);

function baseOnly(states: ReadonlySet<string>): boolean {
  return [...states].every((s) => CT_BASE_STATES.has(s));
}

function subset(x: ReadonlySet<string>, y: ReadonlySet<string>): boolean {
  return [...x].every((s) => y.has(s));
}

function ctstateImplies(a: Atom & { kind: 'ctstate' }, b: Atom & { kind: 'ctstate' }): boolean {
  if (!a.negate && !b.negate) return subset(b.states, a.states);
  if (a.negate && b.negate) return subset(a.states, b.states);
  // "none of X" from "one of Y": only when both name base states, of which a packet has one.
  if (a.negate && !b.negate)
    return baseOnly(a.states) && baseOnly(b.states) && [...b.states].every((s) => !a.states.has(s));
  return false;
}

function ctstateDisjoint(a: Atom & { kind: 'ctstate' }, b: Atom & { kind: 'ctstate' }): boolean {
  if (!a.negate && !b.negate)
    return baseOnly(a.states) && baseOnly(b.states) && [...a.states].every((s) => !b.states.has(s));
  if (a.negate !== b.negate) {
    const [pos, neg] = a.negate ? [b, a] : [a, b];
    return [...pos.states].every((s) => neg.states.has(s));
  }
  return false;
}

function markImplies(a: Atom & { kind: 'mark' }, b: Atom & { kind: 'mark' }): boolean {
  if (b.negate) return !a.negate ? false : a.value === b.value && a.mask === b.mask;
  // b fixes the bits of its mask; a looks at bits of its own mask, which must all be fixed by b.
  if ((a.mask & b.mask) >>> 0 !== a.mask) return false;
  const seen = (b.value & a.mask) >>> 0;
  return a.negate ? seen !== (a.value & a.mask) >>> 0 : seen === (a.value & a.mask) >>> 0;
}

function markDisjoint(a: Atom & { kind: 'mark' }, b: Atom & { kind: 'mark' }): boolean {
  if (!a.negate && !b.negate) {
    const common = (a.mask & b.mask) >>> 0;
    return (a.value & common) >>> 0 !== (b.value & common) >>> 0;
  }
  if (a.negate !== b.negate) {
    const [pos, neg] = a.negate ? [b, a] : [a, b];
    return markImplies({ ...neg, negate: false }, pos);
  }
  return false;
}

/** Every packet satisfying all of `given` satisfies atom `a`. */
export function atomImplied(a: Atom, given: readonly Atom[]): boolean {
  switch (a.kind) {
    case 'addr': {
      let inter: AddressSet | null = null;
      for (const b of given)
        if (b.kind === 'addr' && b.dim === a.dim && b.set.family === a.set.family)
          inter = inter ? addressSetIntersect(inter, b.set) : b.set;
      return inter !== null && addressSetCovers(a.set, inter);
    }
    case 'port': {
      let inter: NumberRanges | null = null;
      for (const b of given)
        if (b.kind === 'port' && b.dim === a.dim)
          inter = inter ? numberRangesIntersect(inter, b.ranges) : b.ranges;
      return inter !== null && numberRangesCovers(a.ranges, inter);
    }
    case 'names': {
      let inter: NameSet | null = null;
      for (const b of given)
        if (b.kind === 'names' && b.dim === a.dim) inter = inter ? nameSetIntersect(inter, b.set) : b.set;
      return inter !== null && nameSetCovers(a.set, inter);
    }
    case 'iface':
      return given.some(
        (b) => b.kind === 'iface' && b.dim === a.dim && ifacePatternCovers(a.pattern, b.pattern),
      );
    case 'ctstate':
      return given.some((b) => b.kind === 'ctstate' && ctstateImplies(a, b));
    case 'mark':
      return given.some((b) => b.kind === 'mark' && b.dim === a.dim && markImplies(a, b));
    case 'opaque':
      return given.some((b) => b.kind === 'opaque' && b.key === a.key);
    case 'stateful':
    case 'unknown':
      // The very same condition, already required: no claim about what it means is needed.
      return given.some((b) => b.kind === a.kind && b.text === a.text);
    case 'chance':
      return false;
  }
}

/** Every packet `inner` matches, `outer` matches: each atom of `outer` is implied by `inner`. */
export function atomsCover(outer: readonly Atom[], inner: readonly Atom[]): boolean {
  return outer.every((a) => atomImplied(a, inner));
}

/** The intersection of every `addr` / `port` / `names` condition on one dimension, over both lists. */
function dimIntersection(a: readonly Atom[], b: readonly Atom[], probe: Atom): boolean {
  let addr: AddressSet | null = null;
  let ports: NumberRanges | null = null;
  let names: NameSet | null = null;
  const n = a.length + b.length;
  for (let i = 0; i < n; i++) {
    const x = i < a.length ? a[i]! : b[i - a.length]!;
    if (x.kind !== probe.kind || !('dim' in x) || !('dim' in probe) || x.dim !== probe.dim) continue;
    if (x.kind === 'addr') {
      if (addr && addr.family !== x.set.family) return true;
      addr = addr ? addressSetIntersect(addr, x.set) : x.set;
    } else if (x.kind === 'port') ports = ports ? numberRangesIntersect(ports, x.ranges) : x.ranges;
    else if (x.kind === 'names') names = names ? nameSetIntersect(names, x.set) : x.set;
  }
  return (
    (addr !== null && addressSetEmpty(addr)) ||
    (ports !== null && ports.length === 0) ||
    (names !== null && nameSetEmpty(names))
  );
}

/** No packet satisfies both conjunctions (as far as can be proven). */
export function atomsDisjoint(a: readonly Atom[], b: readonly Atom[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  // Indexed loops: flows ask this of every rule they walk.
  for (let j = 0; j < b.length; j++) {
    const y = b[j]!;
    // A condition already on the other side adds nothing to contradict (flows put a rule's own atoms in their catch).
    if (a.includes(y)) continue;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      if (x.kind !== y.kind) continue;
      switch (x.kind) {
        case 'iface':
          if (y.kind === 'iface' && x.dim === y.dim && ifacePatternDisjoint(x.pattern, y.pattern))
            return true;
          break;
        case 'ctstate':
          if (y.kind === 'ctstate' && ctstateDisjoint(x, y)) return true;
          break;
        case 'mark':
          if (y.kind === 'mark' && x.dim === y.dim && markDisjoint(x, y)) return true;
          break;
        case 'addr':
        case 'port':
        case 'names':
          // Set-valued: intersect everything both sides say about the dimension (once per dimension).
          if ('dim' in y && x.dim === y.dim && dimIntersection(a, b, y)) return true;
          break;
        default:
          break;
      }
    }
  }
  return false;
}

/** The atom's negation, where it is one atom (an address, a mark, ...); null otherwise. */
export function atomNegate(a: Atom): Atom | null {
  const cond = { ...a.cond, negate: !a.cond.negate };
  const text = `not (${a.text})`;
  switch (a.kind) {
    case 'addr':
      return { ...a, set: addressSetComplement(a.set), cond, text };
    case 'names':
      return { ...a, set: { ...a.set, complement: !a.set.complement }, cond, text };
    case 'mark':
    case 'ctstate':
      return { ...a, negate: !a.negate, cond, text };
    case 'iface':
      return { ...a, pattern: { ...a.pattern, negate: !a.pattern.negate }, cond, text };
    default:
      return null;
  }
}

/**
 * The two small set shapes rule conditions compare besides addresses: ranges of numbers (ports)
 * and finite sets of names with an optional complement (protocols, address types).
 */

/** Sorted, disjoint, inclusive `[from, to]` ranges. */
export type NumberRanges = readonly (readonly [number, number])[];

export function numberRangesNormalize(ranges: readonly (readonly [number, number])[]): NumberRanges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

export function numberRangesComplement(r: NumberRanges, max: number): NumberRanges {
  const out: [number, number][] = [];
  let next = 0;
  for (const [from, to] of r) {
    if (from > next) out.push([next, from - 1]);
    next = to + 1;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

export function numberRangesIntersect(a: NumberRanges, b: NumberRanges): NumberRanges {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i]![0], b[j]![0]);
    const to = Math.min(a[i]![1], b[j]![1]);
    if (from <= to) out.push([from, to]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

export function numberRangesCovers(outer: NumberRanges, inner: NumberRanges): boolean {
  let j = 0;
  for (const [from, to] of inner) {
    while (j < outer.length && outer[j]![1] < from) j++;
    const o = outer[j];
    if (!o || o[0] > from || o[1] < to) return false;
  }
  return true;
}

/** A finite set of names, or everything but them. */
export interface NameSet {
  values: ReadonlySet<string>;
  complement: boolean;
}

export function nameSetCovers(outer: NameSet, inner: NameSet): boolean {
  if (outer === inner) return true;
  if (!outer.complement && !inner.complement) return [...inner.values].every((v) => outer.values.has(v));
  if (outer.complement && !inner.complement) return [...inner.values].every((v) => !outer.values.has(v));
  if (outer.complement && inner.complement) return [...outer.values].every((v) => inner.values.has(v));
  return false;
}

export function nameSetIntersect(a: NameSet, b: NameSet): NameSet {
  if (a === b) return a;
  if (!a.complement && !b.complement)
    return { values: new Set([...a.values].filter((v) => b.values.has(v))), complement: false };
  if (!a.complement)
    return { values: new Set([...a.values].filter((v) => !b.values.has(v))), complement: false };
  if (!b.complement) return nameSetIntersect(b, a);
  return { values: new Set([...a.values, ...b.values]), complement: true };
}

export function nameSetEmpty(s: NameSet): boolean {
  return !s.complement && s.values.size === 0;
}

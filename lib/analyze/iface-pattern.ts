/**
 * Interface names as `-i`/`-o` (a trailing `+` means "any name with this prefix") and nft's
 * `iifname`/`oifname` (a trailing `*`) take them, with their negation: which sets of names one
 * condition covers, and which two can never both hold.
 */
export interface IfacePattern {
  /** The literal part: the whole name, or the prefix of a wildcard. */
  name: string;
  wildcard: boolean;
  negate: boolean;
}

export function ifacePatternParse(text: string, negate: boolean, wildcardChar: '+' | '*'): IfacePattern {
  const wildcard = text.endsWith(wildcardChar) && !text.endsWith(`\\${wildcardChar}`);
  return { name: wildcard ? text.slice(0, -1) : text, wildcard, negate };
}

/** Every name `inner` accepts, `outer` accepts (both taken without negation). */
function namesCover(outer: IfacePattern, inner: IfacePattern): boolean {
  if (outer.wildcard) return inner.name.startsWith(outer.name);
  return !inner.wildcard && inner.name === outer.name;
}

/** No name is accepted by both (taken without negation). */
function namesDisjoint(a: IfacePattern, b: IfacePattern): boolean {
  if (a.wildcard && b.wildcard) return !a.name.startsWith(b.name) && !b.name.startsWith(a.name);
  if (a.wildcard) return !b.name.startsWith(a.name);
  if (b.wildcard) return !a.name.startsWith(b.name);
  return a.name !== b.name;
}

/** Every packet whose interface satisfies `inner` also satisfies `outer`. */
export function ifacePatternCovers(outer: IfacePattern, inner: IfacePattern): boolean {
  if (!outer.negate && !inner.negate) return namesCover(outer, inner);
  if (outer.negate && !inner.negate) return namesDisjoint(outer, inner);
  if (outer.negate && inner.negate) return namesCover(inner, outer);
  // "not X" leaves infinitely many names, which one pattern never covers unless it is `+` alone.
  return !outer.negate && outer.wildcard && outer.name === '';
}

/** No interface name satisfies both. */
export function ifacePatternDisjoint(a: IfacePattern, b: IfacePattern): boolean {
  if (!a.negate && !b.negate) return namesDisjoint(a, b);
  if (a.negate && !b.negate) return namesCover(a, b);
  if (!a.negate && b.negate) return namesCover(b, a);
  return false;
}

/**
 * Exact fractions on bigints, for probabilities that must add up to exactly 1 (a cascade of
 * `statistic` rules, numgen map shares) instead of to 0.9999999999.
 */
export interface Rational {
  readonly num: bigint;
  /** Always positive; the fraction is kept in lowest terms. */
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function rational(num: bigint | number, den: bigint | number = 1n): Rational {
  let n = BigInt(num);
  let d = BigInt(den);
  if (d === 0n) throw new RangeError('rational: zero denominator');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { num: n / g, den: d / g };
}

export const rationalZero = rational(0);
export const rationalOne = rational(1);

export function rationalAdd(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function rationalSub(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

export function rationalMul(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

export function rationalEquals(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den;
}

export function rationalSum(xs: readonly Rational[]): Rational {
  return xs.reduce(rationalAdd, rationalZero);
}

export function rationalToNumber(r: Rational): number {
  // Long cascades of 2^31-based kernel probabilities outgrow a double: drop low bits of both first.
  const shift = BigInt(Math.max(0, r.den.toString(2).length - 1000));
  return Number(r.num >> shift) / Number(r.den >> shift);
}

/** `1/3`, `2/5`, `1`, `0`. */
export function rationalText(r: Rational): string {
  return r.den === 1n ? String(r.num) : `${r.num}/${r.den}`;
}

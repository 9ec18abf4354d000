/**
 * Exact fractions on bigints, for probabilities that must add up to exactly 1 (a cascade of
 * `statistic` rules, numgen map shares) instead of to 0.9999999999.
 *
 * Arithmetic does not reduce to lowest terms: kernel shares are multiples of 2^-31, and reducing
 * them after every step (a gcd of 60-bit numbers) cost more than the whole walk of a flow. Results
 * are reduced when printed (`rationalText`) and compared by cross-multiplying.
 */
export interface Rational {
  readonly num: bigint;
  /** Always positive. */
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) {
    const r = x % y;
    x = y;
    y = r;
  }
  return x;
}

export function rational(num: bigint | number, den: bigint | number = 1n): Rational {
  let n = BigInt(num);
  let d = BigInt(den);
  if (d === 0n) throw new RangeError('rational: zero denominator');
  if (d < 0n) [n, d] = [-n, -d];
  return { num: n, den: d };
}

export const rationalZero: Rational = { num: 0n, den: 1n };
export const rationalOne: Rational = { num: 1n, den: 1n };

// Most shares are 0 or 1 (a rule that takes all, or nothing): those skip the bigint arithmetic.
function isZero(r: Rational): boolean {
  return r.num === 0n;
}
function isOne(r: Rational): boolean {
  return r.num === r.den;
}

export function rationalAdd(a: Rational, b: Rational): Rational {
  if (isZero(a)) return b;
  if (isZero(b)) return a;
  if (a.den === b.den) return { num: a.num + b.num, den: a.den };
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

export function rationalSub(a: Rational, b: Rational): Rational {
  if (isZero(b)) return a;
  if (a.den === b.den) return { num: a.num - b.num, den: a.den };
  return { num: a.num * b.den - b.num * a.den, den: a.den * b.den };
}

export function rationalMul(a: Rational, b: Rational): Rational {
  if (isOne(a)) return b;
  if (isOne(b)) return a;
  if (isZero(a) || isZero(b)) return rationalZero;
  return { num: a.num * b.num, den: a.den * b.den };
}

export function rationalEquals(a: Rational, b: Rational): boolean {
  return a.num * b.den === b.num * a.den;
}

const DOUBLE_SAFE = 1n << 1000n;

export function rationalToNumber(r: Rational): number {
  if (r.den < DOUBLE_SAFE) return Number(r.num) / Number(r.den);
  // Long cascades of 2^31-based kernel probabilities outgrow a double: drop low bits of both first.
  const shift = BigInt(r.den.toString(2).length - 1000);
  return Number(r.num >> shift) / Number(r.den >> shift);
}

/** Lowest terms: `1/3`, `2/5`, `1`, `0`. */
export function rationalText(r: Rational): string {
  const g = gcd(r.num, r.den) || 1n;
  const num = r.num / g;
  const den = r.den / g;
  return den === 1n ? String(num) : `${num}/${den}`;
}

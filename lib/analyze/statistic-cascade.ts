import type { IptMatch } from '../model/iptables';
import type { Rational } from './rational';
import { rational, rationalMul, rationalOne, rationalSub } from './rational';

/**
 * What share of the packets reaching a rule its `-m statistic` match lets through, and what a
 * chain of such rules (kube-proxy's endpoint cascade) gives each rule in the end.
 *
 * The kernel keeps a random-mode probability as round(p * 2^31) and matches when a 31-bit random
 * number is below it (xt_statistic.c; libxt_statistic.c uses lround, and iptables-save prints the
 * stored value back with 11 decimals: 0.3333333333 is saved as 0.33333333349). nth mode matches one
 * packet in `every`, so its long-run share is exactly 1/every.
 */

export type StatisticStep =
  | { mode: 'random'; probability: number; negate: boolean }
  | { mode: 'nth'; every: number; packet: number; negate: boolean };

export interface StepShare {
  /** The share as the kernel applies it. */
  kernel: Rational;
  /**
   * The share the rule asks for: 1/k when the printed probability is 1/k up to the kernel's
   * rounding and the dump's decimals (kube-proxy writes 1/(n-i)), else the printed decimal itself.
   */
  intended: Rational;
}

const KERNEL_SCALE = 1n << 31n;
// Half a kernel step (2^-32) plus half of the last digit kube-proxy prints (10 decimals).
const INTENDED_TOLERANCE = 2 ** -32 + 5e-11;

/** The statistic match of a rule, when it has one iptables lets it have. */
export function statisticStepOf(match: IptMatch): StatisticStep | null {
  if (match.name !== 'statistic' || !('options' in match)) return null;
  const o = match.options;
  const negate = Boolean(o.mode?.negate || o.probability?.negate || o.every?.negate);
  if (o.mode?.value === 'nth' && o.every)
    return { mode: 'nth', every: o.every.value, packet: o.packet?.value ?? 0, negate };
  if (o.mode?.value === 'random' && o.probability)
    return { mode: 'random', probability: o.probability.value, negate };
  return null;
}

function decimalRational(p: number): Rational {
  const text = String(p);
  const exp = /e-(\d+)$/.exec(text);
  if (exp) return rational(BigInt(Math.round(p * 1e15)), 10n ** 15n);
  const dot = text.indexOf('.');
  if (dot < 0) return rational(BigInt(text));
  const decimals = text.length - dot - 1;
  return rational(BigInt(text.replace('.', '')), 10n ** BigInt(decimals));
}

/** 1/k when p is 1/k within the tolerance and no other 1/j is as close. */
function unitFraction(p: number): Rational | null {
  if (p <= 0) return null;
  const k = Math.round(1 / p);
  if (k < 1 || Math.abs(p - 1 / k) > INTENDED_TOLERANCE) return null;
  if (
    Math.abs(p - 1 / (k + 1)) <= INTENDED_TOLERANCE ||
    (k > 1 && Math.abs(p - 1 / (k - 1)) <= INTENDED_TOLERANCE)
  )
    return null;
  return rational(1, k);
}

// A node's cascades repeat the same few probabilities (1/2, 1/3, ...): compute each share once.
const shares = new Map<string, StepShare>();

export function statisticStepShare(step: StatisticStep): StepShare {
  const key =
    step.mode === 'nth'
      ? `n${step.every}${step.negate ? '!' : ''}`
      : `r${step.probability}${step.negate ? '!' : ''}`;
  let share = shares.get(key);
  if (!share) {
    if (shares.size > 4096) shares.clear();
    shares.set(key, (share = stepShare(step)));
  }
  return share;
}

function stepShare(step: StatisticStep): StepShare {
  let kernel: Rational;
  let intended: Rational;
  if (step.mode === 'nth') {
    // --every n is stored as n-1 and matches when the counter wraps: one packet in n.
    kernel = rational(1, Math.max(1, step.every));
    intended = kernel;
  } else {
    kernel = rational(BigInt(Math.round(step.probability * 2 ** 31)), KERNEL_SCALE);
    intended = unitFraction(step.probability) ?? decimalRational(step.probability);
  }
  if (!step.negate) return { kernel, intended };
  return { kernel: rationalSub(rationalOne, kernel), intended: rationalSub(rationalOne, intended) };
}

export interface CascadeShare {
  kernel: Rational;
  intended: Rational;
}

/**
 * The share of all packets each rule of a cascade takes: rule i sees what rules before it left and
 * takes its step's share of that (null: an unconditional rule, which takes all that is left).
 * `rest` is what falls through past the last rule.
 */
export function statisticCascade(steps: readonly (StatisticStep | null)[]): {
  shares: CascadeShare[];
  rest: CascadeShare;
} {
  let left: CascadeShare = { kernel: rationalOne, intended: rationalOne };
  const shares: CascadeShare[] = [];
  for (const step of steps) {
    const s = step ? statisticStepShare(step) : { kernel: rationalOne, intended: rationalOne };
    const taken = {
      kernel: rationalMul(left.kernel, s.kernel),
      intended: rationalMul(left.intended, s.intended),
    };
    shares.push(taken);
    left = {
      kernel: rationalSub(left.kernel, taken.kernel),
      intended: rationalSub(left.intended, taken.intended),
    };
  }
  return { shares, rest: left };
}

import { describe, expect, it } from 'vitest';
import { rationalText } from './rational';
import { statisticCascade, statisticStepShare } from './statistic-cascade';

const random = (probability: number, negate = false) => ({ mode: 'random' as const, probability, negate });

describe('statistic cascade', () => {
  it("gives each of kube-proxy's n endpoints 1/n: probabilities 1/(n-i) as it prints them, the last unconditional", () => {
    // kube-proxy writes 1/(n-i) with 10 decimals: 0.2000000000, 0.2500000000, 0.3333333333, 0.5000000000.
    const steps = [random(0.2), random(0.25), random(0.3333333333), random(0.5), null];
    const { shares, rest } = statisticCascade(steps);
    expect(shares.map((s) => rationalText(s.intended))).toEqual(['1/5', '1/5', '1/5', '1/5', '1/5']);
    expect(rationalText(rest.intended)).toBe('0');
    expect(rationalText(rest.kernel)).toBe('0');
    // The kernel keeps round(p * 2^31): 0.3333333333 becomes 715827883 / 2^31, as iptables-save prints it back.
    expect(rationalText(statisticStepShare(random(0.3333333333)).kernel)).toBe('715827883/2147483648');
    expect(statisticStepShare(random(0.33333333349)).intended).toEqual(
      statisticStepShare(random(0.3333333333)).intended,
    );
  });

  it('nth mode: one packet in every n, so a cascade of every 3, every 2, rest is a round robin of thirds', () => {
    const { shares } = statisticCascade([
      { mode: 'nth', every: 3, packet: 0, negate: false },
      { mode: 'nth', every: 2, packet: 0, negate: false },
      null,
    ]);
    expect(shares.map((s) => rationalText(s.kernel))).toEqual(['1/3', '1/3', '1/3']);
  });

  it('keeps what falls through when the last rule is also random', () => {
    const { shares, rest } = statisticCascade([random(0.5), random(0.5)]);
    expect(shares.map((s) => rationalText(s.intended))).toEqual(['1/2', '1/4']);
    expect(rationalText(rest.intended)).toBe('1/4');
  });

  it('a probability that is not 1/k is taken as printed; a negated one is its complement', () => {
    expect(rationalText(statisticStepShare(random(0.3)).intended)).toBe('3/10');
    // round(0.3 * 2^31) = 644245094; iptables-save prints it back as 0.29999999981.
    expect(rationalText(statisticStepShare(random(0.3)).kernel)).toBe('322122547/1073741824');
    expect(rationalText(statisticStepShare(random(0.25, true)).intended)).toBe('3/4');
  });
});

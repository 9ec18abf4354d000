import { describe, expect, it } from 'vitest';
import { defaultRestoreCalibration, restoreModelFit, restoreSeconds } from './restore-calibration';

describe('restore calibration', () => {
  it('the default passes through the two figures SCALING.md records', () => {
    expect(restoreSeconds(defaultRestoreCalibration, 32000)).toBeCloseTo(0.6, 10);
    expect(restoreSeconds(defaultRestoreCalibration, 320000)).toBeCloseTo(15.3, 10);
    // 15.3 / 0.6 over ten times the rules: an exponent of log10(25.5).
    expect(defaultRestoreCalibration.model.exponent).toBeCloseTo(Math.log10(25.5), 10);
  });

  it('fits a power law to measured points', () => {
    const points = [1000, 10000, 100000].map((rules) => ({
      rules,
      bytes: null,
      seconds: 2e-6 * rules ** 1.2,
    }));
    const model = restoreModelFit(points);
    expect(model.exponent).toBeCloseTo(1.2, 10);
    expect(model.coefficient).toBeCloseTo(2e-6, 14);
  });
});

import { describe, expect, it } from 'vitest';
import { calibrate, fitCalibration, type ConfidenceSample } from './confidence-calibration.js';

const claims = (field: string, confidence: number, right: number, wrong: number): ConfidenceSample[] => [
  ...Array.from({ length: right }, () => ({ field, confidence, correct: true })),
  ...Array.from({ length: wrong }, () => ({ field, confidence, correct: false })),
];

describe('fitCalibration', () => {
  it('maps each raw confidence to the share of its claims that were right, one right and one wrong added', () => {
    const calibration = fitCalibration([...claims('DATE', 0.6, 5, 13), ...claims('DATE', 0.9, 97, 1)]);
    expect(calibration).toEqual({ DATE: [[0.6, 0.3], [0.9, 0.98]] });
  });

  it('pools a higher raw confidence that was right less often with the one below, so the map never falls', () => {
    const calibration = fitCalibration([...claims('TOTAL', 0.5, 8, 0), ...claims('TOTAL', 0.7, 2, 8), ...claims('TOTAL', 0.9, 9, 1)]);
    expect(calibration['TOTAL']).toEqual([[0.7, 0.55], [0.9, 0.83]]);
  });

  it('keeps fields apart', () => {
    const calibration = fitCalibration([...claims('A', 0.9, 0, 8), ...claims('B', 0.9, 8, 0)]);
    expect(calibration).toEqual({ A: [[0.9, 0.1]], B: [[0.9, 0.9]] });
  });
});

describe('calibrate', () => {
  const calibration = { DATE: [[0.6, 0.3], [0.9, 0.98]] } as const;

  it('takes the first step whose bound the raw confidence does not pass', () => {
    expect(calibrate(calibration, 'DATE', 0.4)).toBe(0.3);
    expect(calibrate(calibration, 'DATE', 0.6)).toBe(0.3);
    expect(calibrate(calibration, 'DATE', 0.61)).toBe(0.98);
  });

  it('takes the last step above every confidence fitted, and leaves a field never fitted as it was', () => {
    expect(calibrate(calibration, 'DATE', 0.99)).toBe(0.98);
    expect(calibrate(calibration, 'TAX', 0.42)).toBe(0.42);
    expect(calibrate({ TAX: [] }, 'TAX', 0.42)).toBe(0.42);
  });
});

import { describe, expect, it } from 'vitest';
import { formatReliability, reliabilityOf } from './reliability.js';

const sample = (confidence: number, correct: boolean) => ({ field: 'DATE', confidence, correct });

describe('reliabilityOf', () => {
  it('bins claims by confidence and says how often each bin was right, leaving empty bins out', () => {
    const table = reliabilityOf([sample(0.95, true), sample(0.92, true), sample(0.91, false), sample(0.35, false), sample(1, true)]);
    expect(table.bins).toEqual([
      { from: 0.35, to: 0.4, claims: 1, mean_confidence: 0.35, share_right: 0 },
      { from: 0.9, to: 0.95, claims: 2, mean_confidence: 0.915, share_right: 0.5 },
      { from: 0.95, to: 1, claims: 2, mean_confidence: 0.975, share_right: 1 },
    ]);
    // (|0.35 − 0| + |1.83 − 1| + |1.95 − 2|) over five claims
    expect(table.ece).toBe(0.246);
  });

  it('is zero for claims right exactly as often as they say, and for no claims', () => {
    expect(reliabilityOf([sample(0.5, true), sample(0.5, false)]).ece).toBe(0);
    expect(reliabilityOf([])).toEqual({ bins: [], ece: 0 });
  });

  it('prints a line a bin and the error last', () => {
    expect(formatReliability(reliabilityOf([sample(0.95, true)]))).toEqual(['confidence 0.95-1.00      1 claims  said 0.950  right 1.000', 'expected calibration error 0.050']);
  });
});

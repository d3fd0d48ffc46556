import { describe, expect, it } from 'vitest';
import { poolTallies, scoreFields } from './field-tally.js';

describe('poolTallies', () => {
  it('sums the counts field by field, so the pooled score is the one over all documents, not a mean of fold scores', () => {
    const folds = [
      { name: { tp: 3, fp: 1, fn: 0 }, phone: { tp: 0, fp: 0, fn: 2 } },
      { name: { tp: 1, fp: 0, fn: 3 }, phone: { tp: 2, fp: 2, fn: 0 } },
    ];
    const pooled = poolTallies(['name', 'phone'], folds);
    expect(pooled).toEqual({ name: { tp: 4, fp: 1, fn: 3 }, phone: { tp: 2, fp: 2, fn: 2 } });
    const scores = scoreFields(['name', 'phone'], pooled);
    expect(scores.name).toEqual({ precision: 0.8, recall: 0.571, f1: 0.667 });
    // overall from all counts together: tp 6, fp 3, fn 5
    expect(scores.overall).toEqual({ precision: 0.667, recall: 0.545, f1: 0.6 });
  });
});

import { describe, expect, it } from 'vitest';
import { choose, strongest, train, type Choice } from './choice-model.js';

/** Messages whose right candidate is the one marked `good`; the decoys are `plain`; some messages have none right. */
const choices: Choice[] = [
  ...Array.from({ length: 20 }, () => ({ candidates: [['plain'], ['good', 'short'], ['plain', 'short']], right: [false, true, false] })),
  ...Array.from({ length: 10 }, () => ({ candidates: [['plain'], ['plain', 'short']], right: [false, false] })),
];

describe('choice model', () => {
  it('learns which candidate is right, and that none is when no candidate looks right', () => {
    const weights = train(choices);
    const withGood = choose(weights, [['plain'], ['good', 'short']]);
    expect(withGood.candidates[1]).toBeGreaterThan(0.8);
    expect(withGood.none + withGood.candidates.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 10);
    expect(choose(weights, [['plain'], ['plain', 'short']]).none).toBeGreaterThan(0.6);
  });

  it('gives the same weights for the same examples, and names the features that weighed most', () => {
    const weights = train(choices);
    expect(train(choices)).toEqual(weights);
    const ranked = strongest(weights, ['plain', 'good', 'unseen']);
    expect(ranked.map(([feature]) => feature).sort()).toEqual(['good', 'plain']);
    expect(Math.abs(ranked[0]?.[1] as number)).toBeGreaterThanOrEqual(Math.abs(ranked[1]?.[1] as number));
    expect(weights['good']).toBeGreaterThan(0);
    expect(strongest(weights, ['unseen'])).toEqual([]);
  });

  it('counts a choice right when any of several right candidates is taken', () => {
    const weights = train([{ candidates: [['office'], ['cell'], ['fax']], right: [true, true, false] }]);
    const { candidates } = choose(weights, [['office'], ['cell'], ['fax']]);
    expect((candidates[0] as number) + (candidates[1] as number)).toBeGreaterThan(0.9);
  });
});

import { describe, expect, it } from 'vitest';
import { splitFolds } from './folds.js';

const ids = Array.from({ length: 23 }, (_, index) => `doc-${index}`);

describe('splitFolds', () => {
  it('puts every document in exactly one fold, with sizes within one of each other', () => {
    const folds = splitFolds(ids, 5, 3);
    expect(folds).toHaveLength(5);
    expect(folds.flat().sort()).toEqual([...ids].sort());
    const sizes = folds.map((fold) => fold.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('depends on the ids and the seed, not on the order the files were listed in', () => {
    expect(splitFolds([...ids].reverse(), 4, 9)).toEqual(splitFolds(ids, 4, 9));
    expect(splitFolds(ids, 4, 9)).toEqual(splitFolds(ids, 4, 9));
  });

  it('splits differently with another seed', () => {
    expect(splitFolds(ids, 4, 1)).not.toEqual(splitFolds(ids, 4, 2));
  });

  it('refuses fewer than two folds, or more folds than documents', () => {
    expect(() => splitFolds(ids, 1)).toThrow(/at least 2/);
    expect(() => splitFolds(['a', 'b'], 3)).toThrow(/3 folds need at least 3 documents/);
  });
});

import { describe, expect, it } from 'vitest';
import { crossValidate } from './cross-validate.js';
import { bestOf } from './fittable.js';
import { splitFolds } from './folds.js';

describe('crossValidate', () => {
  it('fits on the other folds only and counts the held-back fold with what was fitted there', async () => {
    const documents = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => ({ id }));
    const ids = (part: readonly { id: string }[]) => part.map((document) => document.id).sort();
    const result = await crossValidate({
      documents,
      folds: 3,
      seed: 5,
      // "Fitting" remembers the training documents, so the test can see what each fold was fitted on.
      extractor: { fit: (training) => ({ seen: ids(training) }) },
      tally: async (parameters, part) => [{ part: ids(part), fittedOn: parameters.seen }],
      pool: (tallies) => tallies.flat(),
    });
    const folds = splitFolds(ids(documents), 3, 5).map((fold) => [...fold].sort());
    expect(result).toMatchObject({ folds: 3, seed: 5 });
    folds.forEach((fold, index) => {
      const seen = ids(documents).filter((id) => !fold.includes(id));
      expect(result.parameters[index]).toEqual({ seen });
      expect(result.held_out[index]).toEqual({ part: fold, fittedOn: seen });
      expect(result.training[index]).toEqual({ part: seen, fittedOn: seen });
    });
  });
});

describe('bestOf', () => {
  it('takes the candidate with the best training score, and keeps the shipped parameters on a tie', async () => {
    const score = (parameters: { lines: number }) => (parameters.lines >= 4 ? 0.9 : parameters.lines / 10);
    expect(await bestOf({ lines: 2 }, [{ lines: 3 }, { lines: 4 }, { lines: 5 }], score)).toEqual({ lines: 4 });
    expect(await bestOf({ lines: 5 }, [{ lines: 3 }, { lines: 4 }], score)).toEqual({ lines: 5 });
  });
});

import { describe, expect, it } from 'vitest';
import { crossValidate } from './cross-validate.js';
import { bestOf } from './fittable.js';
import { splitFolds } from './folds.js';

describe('crossValidate', () => {
  it('fits on the other folds only and counts the held-back fold with what was fitted there', async () => {
    const documents = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const outcomes = await crossValidate({
      documents,
      id: (document) => document,
      folds: 3,
      seed: 5,
      // "Fitting" remembers the training documents, so the test can see what each fold was fitted on.
      extractor: { fit: (training) => ({ seen: [...training].sort() }) },
      tally: async (parameters, part) => ({ part: [...part].sort(), fittedOn: parameters.seen }),
    });
    const folds = splitFolds(documents, 3, 5).map((fold) => [...fold].sort());
    outcomes.forEach((outcome, index) => {
      expect(outcome.held_out.part).toEqual(folds[index]);
      expect(outcome.parameters.seen).toEqual(documents.filter((document) => !folds[index]?.includes(document)));
      expect(outcome.training.part).toEqual(outcome.parameters.seen);
      expect(outcome.held_out.fittedOn).toEqual(outcome.parameters.seen);
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

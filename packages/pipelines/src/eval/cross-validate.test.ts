import { describe, expect, it } from 'vitest';
import { crossValidate } from './cross-validate.js';
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

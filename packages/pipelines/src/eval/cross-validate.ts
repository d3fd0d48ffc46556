import { DEFAULT_FOLD_SEED, splitFolds } from './folds.js';
import type { Fittable, Json } from './fittable.js';

export interface CrossValidation<Document, Parameters extends Json, Tallies> {
  documents: readonly Document[];
  id: (document: Document) => string;
  folds: number;
  seed?: number | undefined;
  extractor: Fittable<Document, Parameters>;
  /** Counts what the extractor built from these parameters reads from these documents. */
  tally: (parameters: Parameters, documents: readonly Document[]) => Promise<Tallies>;
}

export interface FoldOutcome<Parameters, Tallies> {
  parameters: Parameters;
  /** The fold's own documents, read with parameters fitted without them. */
  held_out: Tallies;
  /** The other folds, read with the same parameters: the gap to `held_out` is overfitting. */
  training: Tallies;
}

/**
 * k-fold cross-validation: for each fold, fits the extractor on the other k−1 folds and
 * counts it on the held-back fold and on its own training folds. Folds come from
 * `splitFolds`, so they depend on the ids and the seed only.
 */
export async function crossValidate<Document, Parameters extends Json, Tallies>(options: CrossValidation<Document, Parameters, Tallies>): Promise<Array<FoldOutcome<Parameters, Tallies>>> {
  const byId = new Map(options.documents.map((document) => [options.id(document), document]));
  const folds = splitFolds([...byId.keys()], options.folds, options.seed ?? DEFAULT_FOLD_SEED).map((ids) => ids.map((id) => byId.get(id) as Document));
  const outcomes: Array<FoldOutcome<Parameters, Tallies>> = [];
  for (const [index, heldOut] of folds.entries()) {
    const training = folds.filter((_, other) => other !== index).flat();
    const parameters = await options.extractor.fit(training);
    outcomes.push({ parameters, held_out: await options.tally(parameters, heldOut), training: await options.tally(parameters, training) });
  }
  return outcomes;
}

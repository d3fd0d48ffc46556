import { DEFAULT_FOLD_SEED, splitFolds } from './folds.js';
import type { Fittable, Json } from './fittable.js';

export interface CrossValidation<Document extends { id: string }, Parameters extends Json, Tallies> {
  documents: readonly Document[];
  folds: number;
  seed?: number | undefined;
  extractor: Fittable<Document, Parameters>;
  /** Counts what the extractor built from these parameters reads from these documents. */
  tally: (parameters: Parameters, documents: readonly Document[]) => Promise<Tallies>;
  /** Several folds' counts as one (summed, not averaged: see `poolTallies`). */
  pool: (tallies: readonly Tallies[]) => Tallies;
}

export interface CrossValidated<Parameters, Tallies> {
  folds: number;
  seed: number;
  /** What was fitted on each fold's training folds, in fold order. */
  parameters: Parameters[];
  /** Each document counted once, read with parameters fitted without it. */
  held_out: Tallies;
  /** Each fold's training documents read with the parameters fitted on them: the gap to `held_out` is overfitting. */
  training: Tallies;
}

/**
 * k-fold cross-validation: for each fold, fits the extractor on the other k−1 folds and
 * counts it on the held-back fold and on its own training folds, then pools the folds.
 * Folds come from `splitFolds`, so they depend on the ids and the seed only.
 */
export async function crossValidate<Document extends { id: string }, Parameters extends Json, Tallies>(
  options: CrossValidation<Document, Parameters, Tallies>,
): Promise<CrossValidated<Parameters, Tallies>> {
  const seed = options.seed ?? DEFAULT_FOLD_SEED;
  const byId = new Map(options.documents.map((document) => [document.id, document]));
  const folds = splitFolds([...byId.keys()], options.folds, seed).map((ids) => ids.map((id) => byId.get(id) as Document));
  const parameters: Parameters[] = [];
  const heldOut: Tallies[] = [];
  const training: Tallies[] = [];
  for (const [index, held] of folds.entries()) {
    const rest = folds.filter((_, other) => other !== index).flat();
    const fitted = await options.extractor.fit(rest);
    parameters.push(fitted);
    heldOut.push(await options.tally(fitted, held));
    training.push(await options.tally(fitted, rest));
  }
  return { folds: options.folds, seed, parameters, held_out: options.pool(heldOut), training: options.pool(training) };
}

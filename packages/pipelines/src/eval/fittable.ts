/** A value that survives `JSON.stringify` and `JSON.parse` unchanged. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/**
 * An extractor with numbers that are tuned rather than given: `fit` chooses them from
 * labelled training documents and returns them as plain JSON, so a fitted set can be printed,
 * compared between folds, saved and shipped, and the extractor rebuilt from it alone.
 * Rules that learn nothing return their fixed parameters.
 */
export interface Fittable<Document, Parameters extends Json> {
  fit(training: readonly Document[]): Parameters | Promise<Parameters>;
}

/**
 * The candidate whose training score is highest. A candidate must beat the shipped
 * parameters to replace them, so a tie changes nothing.
 */
export async function bestOf<Parameters extends Json>(shipped: Parameters, candidates: readonly Parameters[], trainingScore: (parameters: Parameters) => number | Promise<number>): Promise<Parameters> {
  let best = { parameters: shipped, score: await trainingScore(shipped) };
  for (const parameters of candidates) {
    const candidateScore = await trainingScore(parameters);
    if (candidateScore > best.score) best = { parameters, score: candidateScore };
  }
  return best.parameters;
}

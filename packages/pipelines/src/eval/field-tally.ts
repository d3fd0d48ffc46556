/** Precision, recall and F1 from true positives, false positives and false negatives. */
export interface FieldScore {
  precision: number;
  recall: number;
  f1: number;
}

export interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

export const emptyTally = (): Tally => ({ tp: 0, fp: 0, fn: 0 });

/**
 * Counts one prediction against the truth for one document: right is a true positive, a
 * wrong or unwanted answer a false positive, a missed or wrong one a false negative.
 */
export function count(tally: Tally, guess: string | undefined, truths: readonly string[], same: (a: string, b: string) => boolean): void {
  if (guess === undefined) {
    if (truths.length > 0) tally.fn++;
  } else if (truths.some((truth) => same(guess, truth))) tally.tp++;
  else {
    tally.fp++;
    if (truths.length > 0) tally.fn++;
  }
}

export function score({ tp, fp, fn }: Tally): FieldScore {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return { precision: round(precision), recall: round(recall), f1: round(f1) };
}

export function sum(tallies: readonly Tally[]): Tally {
  return tallies.reduce((total, tally) => ({ tp: total.tp + tally.tp, fp: total.fp + tally.fp, fn: total.fn + tally.fn }), emptyTally());
}

/** One tally a field. */
export type FieldTallies<F extends string> = Record<F, Tally>;

export const emptyTallies = <F extends string>(fields: readonly F[]): FieldTallies<F> => Object.fromEntries(fields.map((field) => [field, emptyTally()])) as FieldTallies<F>;

/**
 * Several folds' tallies as one, field by field. Counts are summed rather than scores
 * averaged, so a fold is weighed by how much it holds, as one run over all of it would be.
 */
export function poolTallies<F extends string>(fields: readonly F[], tallies: readonly FieldTallies<F>[]): FieldTallies<F> {
  return Object.fromEntries(fields.map((field) => [field, sum(tallies.map((tally) => tally[field]))])) as FieldTallies<F>;
}

/** Scores per field, and overall from all fields' counts together. */
export function scoreFields<F extends string>(fields: readonly F[], tallies: FieldTallies<F>): Record<F | 'overall', FieldScore> {
  return { ...Object.fromEntries(fields.map((field) => [field, score(tallies[field])])), overall: score(sum(fields.map((field) => tallies[field]))) } as Record<F | 'overall', FieldScore>;
}

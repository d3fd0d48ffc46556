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

import { createHash } from 'node:crypto';
import { UnfoldError } from '@unfold/protocol';

/** The seed `--folds` uses unless told otherwise, so two runs of the same data split alike. */
export const DEFAULT_FOLD_SEED = 17;

const rank = (seed: number, id: string) => createHash('sha256').update(`${seed}\0${id}`).digest('hex');

/**
 * Splits document ids into k folds of sizes within one of each other. Each id's place comes
 * from a hash of the seed and the id alone, so the split does not move when files are
 * renamed around it, listed in another order, or added (other ids keep their relative order).
 */
export function splitFolds(ids: readonly string[], k: number, seed: number = DEFAULT_FOLD_SEED): string[][] {
  const unique = [...new Set(ids)];
  if (!Number.isInteger(k) || k < 2) throw new UnfoldError('invalid_input', `--folds is a whole number of at least 2, not ${k}`);
  if (k > unique.length) throw new UnfoldError('invalid_input', `${k} folds need at least ${k} documents; there are ${unique.length}`);
  const ordered = unique.map((id) => ({ id, key: rank(seed, id) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const folds: string[][] = Array.from({ length: k }, () => []);
  ordered.forEach(({ id }, index) => folds[index % k]?.push(id));
  return folds;
}

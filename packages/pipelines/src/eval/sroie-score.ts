import { normalizeDate, parseAmount } from '../receipt/normalize.js';
import { count, emptyTallies, scoreFields, type FieldScore, type FieldTallies } from './field-tally.js';

export const SROIE_FIELDS = ['company', 'address', 'date', 'total'] as const;
export type SroieField = (typeof SROIE_FIELDS)[number];

/** One receipt: what was read, and its ground truth (a field absent or empty has no truth). */
export interface SroieReceipt {
  predicted: Partial<Record<SroieField, string | undefined>>;
  key: Partial<Record<SroieField, string>>;
}

export interface SroieScores {
  exact: Record<SroieField | 'overall', FieldScore>;
  normalized: Record<SroieField | 'overall', FieldScore>;
}

/** Letters and digits only, upper case: spacing and punctuation differences do not count. */
const looseText = (value: string) => value.toUpperCase().replace(/[^A-Z0-9]/g, '');
const NORMALIZERS: Record<SroieField, (value: string) => string> = {
  company: looseText,
  address: looseText,
  date: (value) => normalizeDate(value) ?? looseText(value),
  total: (value) => {
    const amount = parseAmount(value);
    return amount === undefined ? looseText(value) : amount.toFixed(2);
  },
};

/** The SROIE counts of a set of receipts, exact and normalised; pooled over folds before scoring. */
export interface SroieTallies {
  exact: FieldTallies<SroieField>;
  normalized: FieldTallies<SroieField>;
}

/**
 * Counts receipts the SROIE way, per field: exact strings after trimming, and normalised
 * forms (letters and digits, ISO dates, amounts as numbers). A right answer is a true
 * positive; a wrong one both a false positive and a false negative; an answer where the
 * key has none a false positive; no answer where it has one a false negative.
 */
export function tallySroie(receipts: Iterable<SroieReceipt>): SroieTallies {
  const exact = emptyTallies(SROIE_FIELDS);
  const normalized = emptyTallies(SROIE_FIELDS);
  for (const { predicted, key } of receipts) {
    for (const field of SROIE_FIELDS) {
      const truth = (key[field] ?? '').trim();
      const truths = truth === '' ? [] : [truth];
      const guess = predicted[field]?.trim() || undefined;
      count(exact[field], guess, truths, (a, b) => a === b);
      count(normalized[field], guess, truths, (a, b) => NORMALIZERS[field](a) === NORMALIZERS[field](b));
    }
  }
  return { exact, normalized };
}

export const scoreSroieTallies = (tallies: SroieTallies): SroieScores => ({ exact: scoreFields(SROIE_FIELDS, tallies.exact), normalized: scoreFields(SROIE_FIELDS, tallies.normalized) });

/** Scores receipts the SROIE way, per field and overall (see `tallySroie`). */
export const scoreSroie = (receipts: Iterable<SroieReceipt>): SroieScores => scoreSroieTallies(tallySroie(receipts));

import { normalizeDate, parseAmount } from '../receipt/normalize.js';
import type { ConfidenceSample } from '../calibration/confidence-calibration.js';
import { count, emptyTallies, poolTallies, scoreFields, type FieldScore, type FieldTallies } from './field-tally.js';
import { reliabilityOf, type Reliability } from './reliability.js';

export const SROIE_FIELDS = ['company', 'address', 'date', 'total'] as const;
export type SroieField = (typeof SROIE_FIELDS)[number];

/** A field the pipeline labelled (a `field_labeled` event), with the confidence it gave. */
export interface Claim {
  label: string;
  value: string;
  confidence: number;
}

/** One receipt: what was read, the claims it was read from, and its ground truth (a field absent or empty has no truth). */
export interface SroieReceipt {
  predicted: Partial<Record<SroieField, string | undefined>>;
  claims?: readonly Claim[];
  key: Partial<Record<SroieField, string>>;
}

export interface SroieScores {
  exact: Record<SroieField | 'overall', FieldScore>;
  normalized: Record<SroieField | 'overall', FieldScore>;
  /** How often the labels with a truth were right at each confidence. */
  reliability: Reliability;
}

/**
 * Whether each claim with a truth to check was right: the name, date and total exactly as the
 * key has them, an address line when the key's address holds it (the key joins the lines).
 */
export function confidenceSamples({ claims = [], key }: SroieReceipt): ConfidenceSample[] {
  const truthOf: Record<string, { truth: string | undefined; right: (value: string, truth: string) => boolean }> = {
    MERCHANT_NAME: { truth: key.company, right: (value, truth) => value === truth },
    ADDRESS_LINE: { truth: key.address, right: (value, truth) => truth.includes(value) },
    DATE: { truth: key.date, right: (value, truth) => value === truth },
    GRAND_TOTAL: { truth: key.total, right: (value, truth) => value === truth },
  };
  return claims.flatMap(({ label, value, confidence }) => {
    const check = truthOf[label];
    const truth = check?.truth?.trim();
    return check && truth ? [{ field: label, confidence, correct: check.right(value.trim(), truth) }] : [];
  });
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
  samples: ConfidenceSample[];
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
  const samples: ConfidenceSample[] = [];
  for (const receipt of receipts) {
    const { predicted, key } = receipt;
    samples.push(...confidenceSamples(receipt));
    for (const field of SROIE_FIELDS) {
      const truth = (key[field] ?? '').trim();
      const truths = truth === '' ? [] : [truth];
      const guess = predicted[field]?.trim() || undefined;
      count(exact[field], guess, truths, (a, b) => a === b);
      count(normalized[field], guess, truths, (a, b) => NORMALIZERS[field](a) === NORMALIZERS[field](b));
    }
  }
  return { exact, normalized, samples };
}

export const scoreSroieTallies = (tallies: SroieTallies): SroieScores => ({
  exact: scoreFields(SROIE_FIELDS, tallies.exact),
  normalized: scoreFields(SROIE_FIELDS, tallies.normalized),
  reliability: reliabilityOf(tallies.samples),
});

/** Several folds' counts as one: summed field by field, the claims put together. */
export const poolSroieTallies = (tallies: readonly SroieTallies[]): SroieTallies => ({
  exact: poolTallies(SROIE_FIELDS, tallies.map((tally) => tally.exact)),
  normalized: poolTallies(SROIE_FIELDS, tallies.map((tally) => tally.normalized)),
  samples: tallies.flatMap((tally) => tally.samples),
});

/** Scores receipts the SROIE way, per field and overall (see `tallySroie`). */
export const scoreSroie = (receipts: Iterable<SroieReceipt>): SroieScores => scoreSroieTallies(tallySroie(receipts));

import { describe, expect, it } from 'vitest';
import { confidenceSamples, poolSroieTallies, scoreSroie, scoreSroieTallies, tallySroie, type SroieReceipt } from './sroie-score.js';

/**
 * Three receipts made up for the test. Per field, what each counts as (exact / normalised):
 * - company: right, missed, right after trimming           → tp 2, fn 1 / the same
 * - address: spacing differs, wrong, no key but answered    → fp 3, fn 2 / tp 1, fp 2, fn 1
 * - date:    other format, right, neither key nor answer    → tp 1, fp 1, fn 1 / tp 2
 * - total:   with a currency, missed, empty key but answered → fp 2, fn 2 / tp 1, fp 1, fn 1
 */
const RECEIPTS: SroieReceipt[] = [
  {
    key: { company: 'KEDAI MAJU JAYA', address: 'NO. 8, JALAN CEMPAKA 2, 43000 KAJANG', date: '05/03/2018', total: '17.50' },
    predicted: { company: 'KEDAI MAJU JAYA', address: 'NO.8,JALAN CEMPAKA 2,43000 KAJANG', date: '2018-03-05', total: 'RM17.50' },
  },
  {
    key: { company: 'RESTORAN SERI MAWAR', address: 'LOT 3, JALAN PASAR', date: '01/01/2019', total: '9.00' },
    predicted: { address: 'TEL 03-1234 5678', date: '01/01/2019' },
  },
  {
    key: { company: 'TOKO SINAR', date: '', total: '' },
    predicted: { company: '  TOKO SINAR ', address: 'SOMEWHERE', total: '5.00' },
  },
];

describe('scoreSroie', () => {
  const { exact, normalized } = scoreSroie(RECEIPTS);

  it('counts exact strings after trimming: a wrong answer is a false positive and a false negative, never a hit', () => {
    expect(exact.company).toEqual({ precision: 1, recall: 0.667, f1: 0.8 });
    expect(exact.address).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(exact.date).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(exact.total).toEqual({ precision: 0, recall: 0, f1: 0 });
    // tp 3, fp 6, fn 6
    expect(exact.overall).toEqual({ precision: 0.333, recall: 0.333, f1: 0.333 });
  });

  it('counts normalised forms: spacing and punctuation, date formats and currency marks do not matter', () => {
    expect(normalized.company).toEqual({ precision: 1, recall: 0.667, f1: 0.8 });
    expect(normalized.address).toEqual({ precision: 0.333, recall: 0.5, f1: 0.4 });
    expect(normalized.date).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(normalized.total).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    // tp 6, fp 3, fn 3
    expect(normalized.overall).toEqual({ precision: 0.667, recall: 0.667, f1: 0.667 });
  });

  it('scores nothing read against nothing known as zero, not as perfect', () => {
    const empty = scoreSroie([{ key: {}, predicted: {} }]);
    expect(empty.exact.overall).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(scoreSroie([]).normalized.total).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('counts an empty or blank answer as no answer', () => {
    const blank = scoreSroie([{ key: { total: '3.00' }, predicted: { total: '  ' } }, { key: { total: '4.00' }, predicted: { total: '4.00' } }]);
    // tp 1, fn 1, and no false positive for the blank
    expect(blank.exact.total).toEqual({ precision: 1, recall: 0.5, f1: 0.667 });
  });
});

describe('confidenceSamples', () => {
  const key = { company: 'KEDAI MAJU JAYA', address: 'NO. 8, JALAN CEMPAKA 2, 43000 KAJANG', date: '05/03/2018', total: '17.50' };

  it('judges the claims with a truth: name, date and total exactly, an address line when the key holds it', () => {
    const claims = [
      { label: 'MERCHANT_NAME', value: 'KEDAI MAJU JAYA', confidence: 0.9 },
      { label: 'ADDRESS_LINE', value: 'JALAN CEMPAKA 2,', confidence: 0.8 },
      { label: 'ADDRESS_LINE', value: 'TEL 03-1234 5678', confidence: 0.8 },
      { label: 'DATE', value: '2018-03-05', confidence: 0.95 },
      { label: 'GRAND_TOTAL', value: ' 17.50 ', confidence: 0.95 },
      { label: 'TAX', value: '1.00', confidence: 0.8 },
    ];
    expect(confidenceSamples({ key, predicted: {}, claims }).map(({ field, correct }) => [field, correct])).toEqual([
      ['MERCHANT_NAME', true],
      ['ADDRESS_LINE', true],
      ['ADDRESS_LINE', false],
      ['DATE', false],
      ['GRAND_TOTAL', true],
    ]);
  });

  it('judges nothing where the key has no truth for the label', () => {
    expect(confidenceSamples({ key: { company: ' ' }, predicted: {}, claims: [{ label: 'MERCHANT_NAME', value: 'X', confidence: 0.9 }] })).toEqual([]);
  });

  it('puts the claims of pooled folds together and scores how often each confidence was right', () => {
    const claim = (value: string) => ({ key, predicted: {}, claims: [{ label: 'MERCHANT_NAME', value, confidence: 0.9 }] });
    const pooled = poolSroieTallies([tallySroie([claim('KEDAI MAJU JAYA')]), tallySroie([claim('KEDAI MAJU'), claim('KEDAI MAJU JAYA')])]);
    expect(pooled.samples).toHaveLength(3);
    expect(scoreSroieTallies(pooled).reliability.bins).toEqual([{ from: 0.9, to: 0.95, claims: 3, mean_confidence: 0.9, share_right: 0.667 }]);
  });
});

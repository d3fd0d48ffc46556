import { describe, expect, it } from 'vitest';
import { copiable, copyCeiling } from './copy-ceiling.js';

const LINES = ['KEDAI MAJU JAYA', 'NO.8,JALAN CEMPAKA 2 ,', 'TAMAN SERI.', '47999 BANDAR CONTOH, SELANGOR.', 'TEL: 03-1234 5678', 'TOTAL RM 17.50'];

describe('copiable', () => {
  it('finds a value inside one line', () => {
    expect(copiable(LINES, '17.50', 1)).toBe(true);
    expect(copiable(LINES, 'KEDAI MAJU JAYA', 3)).toBe(true);
  });

  it('joins consecutive lines with each line end copied as printed or in one of the usual ways', () => {
    expect(copiable(LINES, 'NO.8,JALAN CEMPAKA 2 , TAMAN SERI. 47999 BANDAR CONTOH, SELANGOR.', 6)).toBe(true);
    expect(copiable(LINES, 'NO.8,JALAN CEMPAKA 2, TAMAN SERI, 47999 BANDAR CONTOH, SELANGOR', 6)).toBe(true);
    expect(copiable(LINES, 'NO.8,JALAN CEMPAKA 2 TAMAN SERI 47999 BANDAR CONTOH, SELANGOR.', 6)).toBe(true);
  });

  it('does not rewrite what a line prints inside it, skip a line, or reach past maxLines', () => {
    expect(copiable(LINES, 'NO. 8, JALAN CEMPAKA 2, TAMAN SERI, 47999 BANDAR CONTOH, SELANGOR.', 6)).toBe(false);
    expect(copiable(LINES, 'NO.8,JALAN CEMPAKA 2, 47999 BANDAR CONTOH, SELANGOR.', 6)).toBe(false);
    expect(copiable(LINES, 'NO.8,JALAN CEMPAKA 2, TAMAN SERI, 47999 BANDAR CONTOH, SELANGOR.', 2)).toBe(false);
    expect(copiable(LINES, '', 6)).toBe(false);
  });
});

describe('copyCeiling', () => {
  it('is the share of keys, per field and overall, that the lines hold; an empty key is not counted', () => {
    const ceiling = copyCeiling([
      { lines: LINES, key: { company: 'KEDAI MAJU JAYA', address: 'NO.8,JALAN CEMPAKA 2, TAMAN SERI, 47999 BANDAR CONTOH, SELANGOR.', date: '', total: '17.50' } },
      { lines: ['TOKO SINAR', 'LOT 3 JALAN PASAR', '01/01/2019', 'TOTAL 9.00'], key: { company: 'TOKO SINAR SDN BHD', address: 'LOT 3, JALAN PASAR', date: '01/01/2019', total: '9.00' } },
    ]);
    expect(ceiling).toEqual({ company: 0.5, address: 0.5, date: 1, total: 1, overall: 0.714 });
  });
});

import { describe, expect, it } from 'vitest';
import { labelFields, type ReceiptRuleParameters } from '../receipt/field-labeler.js';
import { analyseStructure } from '../receipt/receipt-structure.js';
import { wordsFromSroieBoxes } from '../receipt/receipt-words.js';
import { MIXED_CASE } from '../receipt/testing/fixtures.js';
import type { SroieDocument } from './receipt-reader.js';
import { receiptRules, type RuleFitReader } from './receipt-rules-fit.js';

/** Reads every receipt as the made-up mixed-case shop, its words read by an OCR (below certainty). */
function ocrReader(): RuleFitReader {
  const words = wordsFromSroieBoxes(MIXED_CASE).map((word) => ({ ...word, confidence: 0.97 }));
  const fieldsOf = (parameters: ReceiptRuleParameters) => {
    const labelled = labelFields(analyseStructure(words), parameters);
    const value = (label: string) => labelled.filter((field) => field.field_name === label).map((field) => field.value).join(' ');
    return { labelled, predicted: { company: value('MERCHANT_NAME'), address: value('ADDRESS_LINE'), date: value('DATE'), total: value('GRAND_TOTAL') } };
  };
  return {
    source: 'ocr',
    read: async (documents: readonly SroieDocument[], parameters: ReceiptRuleParameters) =>
      documents.map(({ key }) => {
        const { labelled, predicted } = fieldsOf(parameters);
        return { predicted, key, claims: labelled.map(({ field_name, value, confidence }) => ({ label: field_name, value, confidence })) };
      }),
  };
}

const receipts = (key: SroieDocument['key']): SroieDocument[] => ['a', 'b'].map((id) => ({ id, key }));

describe("the fitted writing of OCR'd text", () => {
  it('follows the labelled receipts: keys in upper case with spaced commas fit those conventions, and each correction a key bears out', async () => {
    const fitted = await receiptRules(ocrReader()).fit(receipts({ company: 'KEDAI BUKU CERIA SDN BHD', address: 'LOT 8, JALAN CEMPAKA 2, TAMAN MEWAH, 48999 PEKAN SERI', date: '5 MAR 2019', total: '12.50' }));
    expect(fitted.ocrText).toEqual({ upperCase: true, spacedPunctuation: true, splitCaseChange: true, zeroAndLetterO: true, stopAsComma: true });
  });

  it('keeps the text as read where the keys copy the print', async () => {
    const fitted = await receiptRules(ocrReader()).fit(receipts({ company: 'Kedai Buku Ceria Sdn Bhd', address: 'L0t 8,Jalan Cempaka 2, Taman Mewah.48999 PekanSeri', date: '5 Mar 2019', total: '12.50' }));
    expect(fitted.ocrText).toEqual({ upperCase: false, spacedPunctuation: false, splitCaseChange: false, zeroAndLetterO: false, stopAsComma: false });
  });
});

import { runInMemory } from '@unfold/engine';
import { UnfoldError, type UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECEIPT_RULES, labelFields } from './field-labeler.js';
import { extractLineItems } from './line-items.js';
import { normalizeDate, parseAmount, detectCurrency } from './normalize.js';
import { RECEIPT_LABELS } from './receipt-labels.js';
import { receiptPipeline } from './receipt-pipeline.js';
import { analyseStructure } from './receipt-structure.js';
import { wordsFromSroieBoxes } from './receipt-words.js';
import { ABBREVIATED_TOTAL, ACCEPTED_TOTAL, ASKEW, BRAND_ABOVE_BUSINESS, BRANCH_IN_PARENTHESES, CHAIN_OUTLET, CITY_ADDRESS, CORNER_HARDWARE, CUSTOMER_BELOW_CONTACTS, DATE_LOOKALIKES, LABELLED_ADDRESS, LEGAL_FORM_ALONE, LOOSE_PUNCTUATION, MALL_OUTLET, MIXED_CASE, MISMATCHED_TOTALS, NAME_BELOW_ADDRESS, NAME_OVER_REGISTRATION, NAME_WITH_REGISTRATION, NET_AMOUNT, OPERATOR_BELOW_ADDRESS, OWNED_BY, PHONE_AFTER_STATE, PLAIN_NAME, ROUND_ITEM, ROUNDED_BELOW_TOTAL, SECOND_POSTCODE, STAMPED_NAME, STREET_FIRST, TIGHT_LINES, TITLE_ABOVE_NAME, TOTAL_BEFORE_ROUNDING, TOTAL_WITH_RATE, UNROUNDED_CARD_TOTAL } from './testing/fixtures.js';
import { checkTotals } from './totals-check.js';

const structureOf = (boxes: string) => analyseStructure(wordsFromSroieBoxes(boxes));
const valueOf = (boxes: string, label: string) =>
  labelFields(structureOf(boxes))
    .filter((field) => field.field_name === label)
    .map((field) => field.value);

async function run(input: Record<string, unknown>): Promise<UnfoldEvent[]> {
  const { store } = await runInMemory(receiptPipeline, input, { runId: 'r' });
  return store.events.read('r', 0, 1_000);
}

describe('receipt words', () => {
  it('reads SROIE boxes, keeping commas inside the text, one line per box', () => {
    const words = wordsFromSroieBoxes('1,2,50,2,50,20,1,20,NO. 12, JALAN MAWAR\n\n5,30,60,30,60,48,5,48,TOTAL');
    expect(words.map((word) => word.text)).toEqual(['NO.', '12,', 'JALAN', 'MAWAR', 'TOTAL']);
    expect(new Set(words.slice(0, 4).map((word) => word.line_id))).toEqual(new Set([0]));
    expect(words[4]).toMatchObject({ line_id: 1, bounding_box: { x: 5, y: 30, height: 18 } });
  });

  it('rejects a line that is not a box with invalid_input', () => {
    expect(() => wordsFromSroieBoxes('1,2,3,TOTAL')).toThrow(UnfoldError);
  });
});

describe('structure_analysis', () => {
  it('merges boxes of one visual row and finds header, items, totals and footer', () => {
    const structure = structureOf(CORNER_HARDWARE);
    expect(structure.rows.find((row) => row.text.startsWith('SUB TOTAL'))?.text).toBe('SUB TOTAL: 16.50');
    expect(structure.sections.map((section) => section.section)).toEqual(['header', 'items', 'totals', 'footer']);
    expect(structure.rows.find((row) => row.text.startsWith('PAINT'))?.section).toBe('items');
    expect(structure.rows.at(-1)?.section).toBe('footer');
  });

  it('levels a receipt scanned askew, so each amount shares the row of its label', () => {
    const rows = structureOf(ASKEW).rows.map((row) => row.text);
    expect(rows).toEqual(expect.arrayContaining(['SUGAR 1KG 3.20', 'TOTAL 19.70', 'CASH 50.00', 'CHANGE 30.30']));
    expect(valueOf(ASKEW, 'GRAND_TOTAL')).toEqual(['19.70']);
  });

  it('keeps lines printed one above the other apart, however tightly spaced', () => {
    expect(structureOf(TIGHT_LINES).rows.map((row) => row.text)).toEqual(['GOLDEN LOTUS HARDWARE', 'TRADING SDN BHD', 'LOT 5, JALAN PASAR, 50050 KUALA LUMPUR']);
  });
});

describe('field_labeling', () => {
  it('labels the header, the date, the totals and the payment of a receipt', () => {
    expect(valueOf(CORNER_HARDWARE, 'MERCHANT_NAME')).toEqual(['LIM & SONS HARDWARE TRADING']);
    expect(valueOf(CORNER_HARDWARE, 'ADDRESS_LINE')).toEqual(['NO. 12, JALAN MAWAR 3,', 'TAMAN BUNGA, 43000 KAJANG,', 'SELANGOR.']);
    expect(valueOf(CORNER_HARDWARE, 'PHONE_NUMBER')).toEqual(['03-8736 1122']);
    expect(valueOf(CORNER_HARDWARE, 'DATE')).toEqual(['05/03/2018']);
    expect(valueOf(CORNER_HARDWARE, 'TIME')).toEqual(['10:42:15']);
    expect(valueOf(CORNER_HARDWARE, 'SUBTOTAL')).toEqual(['16.50']);
    expect(valueOf(CORNER_HARDWARE, 'TAX')).toEqual(['0.99']);
    expect(valueOf(CORNER_HARDWARE, 'GRAND_TOTAL')).toEqual(['17.50']);
    expect(valueOf(CORNER_HARDWARE, 'PAYMENT_METHOD')).toEqual(['CASH']);
  });

  it("says each label's confidence as its source's calibration maps it (OCR'd when a word was read below certainty), and a label without one as its rule gave it", () => {
    const rules = { ...DEFAULT_RECEIPT_RULES, calibration: { given: { DATE: [[1, 0.42]] }, ocr: { DATE: [[1, 0.17]] } } } as const;
    const structure = structureOf(CORNER_HARDWARE);
    const raw = labelFields(structure, { ...DEFAULT_RECEIPT_RULES, calibration: { given: {}, ocr: {} } });
    const calibrated = labelFields(structure, rules);
    expect(calibrated.find((field) => field.field_name === 'DATE')?.confidence).toBe(0.42);
    const ocrd = { ...structure, rows: structure.rows.map((row, index) => (index === 0 ? { ...row, words: row.words.map((word) => ({ ...word, confidence: 0.97 })) } : row)) };
    expect(labelFields(ocrd, rules).find((field) => field.field_name === 'DATE')?.confidence).toBe(0.17);
    expect(calibrated.filter((field) => field.field_name !== 'DATE')).toEqual(raw.filter((field) => field.field_name !== 'DATE'));
  });

  it("writes the name, address and date of OCR'd text as its rules say (upper case, a space after a comma, a lost space at a case change, an O read as a zero, a comma read as a full stop), given text as it stands", () => {
    const given = structureOf(MIXED_CASE);
    const ocrd = { ...given, rows: given.rows.map((row) => ({ ...row, words: row.words.map((word) => ({ ...word, confidence: 0.97 })) })) };
    const fields = (structure: typeof given, rules = DEFAULT_RECEIPT_RULES) => {
      const labelled = labelFields(structure, rules);
      const value = (label: string) => labelled.filter((field) => field.field_name === label).map((field) => field.value).join(' ');
      return { company: value('MERCHANT_NAME'), address: value('ADDRESS_LINE'), date: value('DATE'), total: value('GRAND_TOTAL') };
    };
    expect(fields(ocrd, { ...DEFAULT_RECEIPT_RULES, ocrText: { upperCase: true, spacedPunctuation: true, splitCaseChange: true, zeroAndLetterO: true, stopAsComma: true } })).toEqual({
      company: 'KEDAI BUKU CERIA SDN BHD',
      address: 'LOT 8, JALAN CEMPAKA 2, TAMAN MEWAH, 48999 PEKAN SERI',
      date: '5 MAR 2019',
      total: '12.50',
    });
    const asRead = { company: 'Kedai Buku Ceria Sdn Bhd', address: 'L0t 8,Jalan Cempaka 2, Taman Mewah.48999 PekanSeri', date: '5 Mar 2019', total: '12.50' };
    expect(fields(ocrd, { ...DEFAULT_RECEIPT_RULES, ocrText: { upperCase: false, spacedPunctuation: false, splitCaseChange: false, zeroAndLetterO: false, stopAsComma: false } })).toEqual(asRead);
    expect(fields(given)).toEqual(asRead);
  });

  it('takes no more address lines than its parameters allow', () => {
    const address = labelFields(structureOf(CORNER_HARDWARE), { ...DEFAULT_RECEIPT_RULES, maxAddressLines: 2 }).filter((field) => field.field_name === 'ADDRESS_LINE');
    expect(address.map((field) => field.value)).toEqual(['NO. 12, JALAN MAWAR 3,', 'TAMAN BUNGA, 43000 KAJANG,']);
  });

  it('joins address lines as its rules say: a comma set apart closed up, a full stop after a word as a comma, initials kept', () => {
    const address = (rules: Partial<typeof DEFAULT_RECEIPT_RULES>) =>
      labelFields(structureOf(LOOSE_PUNCTUATION), { ...DEFAULT_RECEIPT_RULES, ...rules })
        .filter((field) => field.field_name === 'ADDRESS_LINE')
        .map((field) => field.value)
        .join(' ');
    expect(address({ closeSpacedComma: true, fullStopAsComma: true })).toBe('NO. 8 , JALAN CEMPAKA 2, TAMAN MEWAH, 48999 PEKAN SERI, SELANGOR D.E. MALAYSIA.');
    expect(address({ closeSpacedComma: false, fullStopAsComma: false })).toBe('NO. 8 , JALAN CEMPAKA 2 , TAMAN MEWAH. 48999 PEKAN SERI, SELANGOR D.E. MALAYSIA.');
  });

  it('ends an address at its state, keeping only the outlet printed under it', () => {
    expect(valueOf(CHAIN_OUTLET, 'ADDRESS_LINE')).toEqual(['NO 21-23-25B, JALAN CEMPAKA,', '47500 SUBANG JAYA, SELANGOR', '0412-TMN MELATI']);
  });

  it('starts an address at its number, not at the outlet line above it, and ends it before a phone number', () => {
    expect(valueOf(MALL_OUTLET, 'ADDRESS_LINE')).toEqual(['LOT G-12, MUTIARA MALL,', '50450 KUALA LUMPUR.']);
  });

  it('keeps a street printed above the number, and ends the address at a labelled number after the postcode', () => {
    expect(valueOf(STREET_FIRST, 'ADDRESS_LINE')).toEqual(['JALAN KENANGA', '90 GROUND FLOOR', '28700 BENTONG']);
  });

  it('keeps a second postcode with its state printed under the address', () => {
    expect(valueOf(SECOND_POSTCODE, 'ADDRESS_LINE')).toEqual(['12, JALAN PANTAI, 10300 PENANG,', '10450 PENANG.']);
  });

  it('leaves the label that introduces an address out of it', () => {
    expect(valueOf(LABELLED_ADDRESS, 'ADDRESS_LINE')).toEqual(['LOT 88, JALAN BESAR', '43000 KAJANG, SELANGOR']);
  });

  it('ends an address where a phone number follows its state on the same line', () => {
    expect(valueOf(PHONE_AFTER_STATE, 'ADDRESS_LINE')).toEqual(['NO. 9, JALAN MELUR 2,', '48999 PEKAN SERI, SELANGOR']);
  });

  it('ends an address at the capital as at a state', () => {
    expect(valueOf(CITY_ADDRESS, 'ADDRESS_LINE')).toEqual(['NO 7, JALAN MERDEKA,', '50050 KUALA LUMPUR']);
  });

  it('does not take a labelled five-digit reference for a postcode', () => {
    expect(valueOf(OPERATOR_BELOW_ADDRESS, 'ADDRESS_LINE')).toEqual(['LOT 88, JALAN SETIA 1', '81750 MASAI, JOHOR']);
  });

  it('reads the address from the top of the header when the name was found below it', () => {
    expect(valueOf(NAME_BELOW_ADDRESS, 'ADDRESS_LINE')).toEqual(['LOT 7, JALAN RIA 2,', '81100 JOHOR BAHRU, JOHOR']);
  });

  it('ends a name at its registration number and passes over a parenthesised description', () => {
    expect(valueOf(NAME_WITH_REGISTRATION, 'MERCHANT_NAME')).toEqual(["AMIR'S BAKEHOUSE S/B"]);
    expect(valueOf(NAME_WITH_REGISTRATION, 'ADDRESS_LINE')).toEqual(['NO. 3, JALAN KENARI,', '43000 KAJANG, SELANGOR']);
  });

  it('prefers the registered business above the contact lines to a brand, widened over a parenthesis left open', () => {
    expect(valueOf(BRAND_ABOVE_BUSINESS, 'MERCHANT_NAME')).toEqual(['SENJA HOSPITALITY (BANGSAR SOUTH) SDN BHD']);
    expect(valueOf(BRAND_ABOVE_BUSINESS, 'ADDRESS_LINE')).toEqual(['12, JALAN TELAWI 3,', '59100 KUALA LUMPUR']);
  });

  it('takes a legal form alone on its line with the name above it, and drops a label before the name', () => {
    expect(valueOf(LEGAL_FORM_ALONE, 'MERCHANT_NAME')).toEqual(['BUBBLE BAY MALAYSIA SDN BHD']);
    expect(valueOf(OWNED_BY, 'MERCHANT_NAME')).toEqual(['BARA DINING SDN BHD']);
  });

  it('knows a Malay business word, and takes no registered business printed after the contact lines', () => {
    expect(valueOf(CUSTOMER_BELOW_CONTACTS, 'MERCHANT_NAME')).toEqual(['PERNIAGAAN SRI INTAN']);
  });

  it('widens a name over the line between it and its registration number', () => {
    expect(valueOf(NAME_OVER_REGISTRATION, 'MERCHANT_NAME')).toEqual(['RESTORAN SERI MELATI MELATI CORNER']);
  });

  it('leaves out of the name a stamp printed beside it', () => {
    expect(valueOf(STAMPED_NAME, 'MERCHANT_NAME')).toEqual(['KEDAI ELEKTRIK JAYA']);
  });

  it('reads a document title at the top as no end of the lines where the registered business is printed', () => {
    expect(valueOf(TITLE_ABOVE_NAME, 'MERCHANT_NAME')).toEqual(['MAJU KESIHATAN SDN BHD']);
  });

  it('does not take a registration or contact line for the name', () => {
    expect(valueOf(PLAIN_NAME, 'MERCHANT_NAME')).toEqual(['SERI TAILORING & GIFTS']);
  });

  it('widens a legal form that opens with the branch in parentheses to the name above it', () => {
    expect(valueOf(BRANCH_IN_PARENTHESES, 'MERCHANT_NAME')).toEqual(['PASAR BARU MAKMUR (CHERAS) SDN BHD']);
  });

  it('gives every field word ids, a confidence and a reason, with labels from the original set', () => {
    for (const field of labelFields(structureOf(CORNER_HARDWARE))) {
      expect(RECEIPT_LABELS).toContain(field.field_name);
      expect(field.word_ids.length).toBeGreaterThan(0);
      expect(field.confidence).toBeGreaterThan(0);
      expect(field.confidence).toBeLessThanOrEqual(1);
      expect(field.reasoning.length).toBeGreaterThan(3);
    }
  });

  it('reads a date that is a calendar day, not a phone number written with dots or an item code', () => {
    expect(valueOf(DATE_LOOKALIKES, 'DATE')).toEqual(['14/02/2019']);
  });

  it('prefers the total printed after the rounding adjustment', () => {
    expect(valueOf(TOTAL_BEFORE_ROUNDING, 'GRAND_TOTAL')).toEqual(['17.50']);
  });

  it('takes the rounding adjustment from after the items, not from an item called round', () => {
    expect(valueOf(ROUND_ITEM, 'GRAND_TOTAL')).toEqual(['12.00']);
  });

  it('reads a net amount as the payable', () => {
    expect(valueOf(NET_AMOUNT, 'GRAND_TOTAL')).toEqual(['18.00']);
  });

  it('reads a total abbreviated TL', () => {
    expect(valueOf(ABBREVIATED_TOTAL, 'GRAND_TOTAL')).toEqual(['9.40']);
  });

  it('does not take the money accepted for the total, but the amount above it', () => {
    expect(valueOf(ACCEPTED_TOTAL, 'GRAND_TOTAL')).toEqual(['5.00']);
  });

  it('reads a total that names its tax rate, not the tax line that names the total', () => {
    expect(valueOf(TOTAL_WITH_RATE, 'GRAND_TOTAL')).toEqual(['21.20']);
  });

  it('takes the 5-sen rounding of the total printed below it as the payable, and leaves a total with none as it is', () => {
    expect(valueOf(ROUNDED_BELOW_TOTAL, 'GRAND_TOTAL')).toEqual(['12.35']);
    expect(valueOf(UNROUNDED_CARD_TOTAL, 'GRAND_TOTAL')).toEqual(['12.33']);
  });
});

describe('line_item_extraction', () => {
  it('finds each item with its quantity, unit and price', () => {
    const items = extractLineItems(structureOf(CORNER_HARDWARE));
    expect(items.map(({ fields: _fields, ...item }) => item)).toEqual([
      { description: 'PAINT BRUSH 2"', quantity: { amount: 2, unit: 'PCS' }, price: { extended_price: 12 }, line_ids: [13, 14, 15] },
      { description: 'MASKING TAPE', quantity: { amount: 1, unit: 'PC' }, price: { extended_price: 4.5 }, line_ids: [16, 17, 18] },
    ]);
    expect(items[0]?.fields.map((field) => field.field_name)).toEqual(['PRODUCT_NAME', 'QUANTITY', 'LINE_TOTAL']);
  });
});

describe('validation', () => {
  it('passes a receipt whose totals add up, and notes the line items', () => {
    const structure = structureOf(CORNER_HARDWARE);
    const check = checkTotals(labelFields(structure), extractLineItems(structure));
    expect(check.rules.find((rule) => rule.rule === 'subtotal_plus_tax_equals_total')).toMatchObject({ passed: true, message: '16.50 + 0.99 = 17.49' });
    expect(check.rules.find((rule) => rule.rule === 'line_items_sum_to_subtotal')).toMatchObject({ passed: true });
    expect(check.status).toBe('valid');
  });

  it('flags subtotal + tax ≠ total as an error and a missing tax as a warning', () => {
    const structure = structureOf(MISMATCHED_TOTALS);
    const check = checkTotals(labelFields(structure), extractLineItems(structure));
    expect(check.status).toBe('invalid');
    expect(check.rules.find((rule) => rule.rule === 'subtotal_plus_tax_equals_total')).toMatchObject({ passed: false, severity: 'error', message: '10.00 + 0.60 = 10.60, but the total is 11.00' });
    expect(check.rules.find((rule) => rule.rule === 'line_items_sum_to_subtotal')).toMatchObject({ passed: true, severity: 'info' });
  });

  it('errs on no line items and no total, and warns on no subtotal and no tax', () => {
    const check = checkTotals([], []);
    expect(check.status).toBe('invalid');
    expect(check.rules.filter((rule) => !rule.passed).map((rule) => `${rule.rule}:${rule.severity}`)).toEqual([
      'has_line_items:error',
      'has_total:error',
      'has_subtotal:warning',
      'has_tax:warning',
    ]);
  });
});

describe('normalisation', () => {
  it('normalises dates, amounts and currencies', () => {
    expect(normalizeDate('05/03/2018')).toBe('2018-03-05');
    expect(normalizeDate('12-25-2018')).toBe('2018-12-25');
    expect(normalizeDate('2019-01-31')).toBe('2019-01-31');
    expect(normalizeDate('3 JAN 2018')).toBe('2018-01-03');
    expect(normalizeDate('31/02/2018')).toBeUndefined();
    expect(parseAmount('RM1,234.50')).toBe(1234.5);
    expect(detectCurrency('TOTAL RM 9.00')).toBe('MYR');
  });
});

describe('receipt pipeline', () => {
  it('streams structure, fields, line items and validation in the seed order, with a normalised result', async () => {
    const events = await run({ sroie_boxes: CORNER_HARDWARE });
    const tools = events.filter((event) => event.event_type === 'tool_started').map((event) => (event as { tool_name: string }).tool_name);
    expect(tools).toEqual(['structure_analysis', 'field_labeling', 'line_item_extraction', 'validation']);
    const firstField = events.findIndex((event) => event.event_type === 'field_labeled');
    const firstItem = events.findIndex((event) => event.event_type === 'line_item_found');
    expect(firstField).toBeGreaterThan(0);
    expect(firstItem).toBeGreaterThan(firstField);
    expect(events.filter((event) => event.event_type === 'validation_result').length).toBeGreaterThanOrEqual(5);
    const terminal = events.at(-1) as { event_type: string; result: Record<string, unknown> };
    expect(terminal.event_type).toBe('processing_completed');
    expect(terminal.result).toMatchObject({ merchant_name: 'LIM & SONS HARDWARE TRADING', date: '05/03/2018', date_iso: '2018-03-05', total: '17.50', total_amount: 17.5, currency: null });
  });

  it('accepts OCR words as JSON and rejects words that do not match the schema, or no text', () => {
    const words = wordsFromSroieBoxes(CORNER_HARDWARE);
    expect(receiptPipeline.parseInput({ words })).toEqual({ words });
    expect(() => receiptPipeline.parseInput({ words: [{ text: 'TOTAL' }] })).toThrow(/invalid|word_id/i);
    expect(() => receiptPipeline.parseInput({ words: [] })).toThrow(/no text/);
    expect(() => receiptPipeline.parseInput({ sroie_boxes: '' })).toThrow(/no text/);
    expect(() => receiptPipeline.parseInput({ image: 'x' })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

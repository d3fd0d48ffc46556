import { z } from 'zod';
import { calibrate, calibrationSchema, type Calibration } from '../calibration/confidence-calibration.js';
import { findKeywordAmount, findTotal, SUBTOTAL } from './amount-fields.js';
import { FieldCollector } from './field-collector.js';
import { findAddress, type AddressRules } from './address-fields.js';
import { findMerchant } from './merchant-fields.js';
import { detectCurrency, normalizeDate } from './normalize.js';
import { writeOcrValue, type OcrTextRules } from './ocr-text.js';
import type { LabeledField } from './receipt-labels.js';
import { BARE_PHONE, DATE } from './receipt-patterns.js';
import shippedCalibration from './receipt-calibration.json' with { type: 'json' };
import type { ReceiptRow, ReceiptStructure } from './receipt-structure.js';

const TIME = /\b([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s*[AP]\.?M\.?)?\b/i;
const PHONE = /(?:\b(?:TEL|PHONE|PH|H\/?P|MOBILE|FAX)\b\.?\s*(?:NO\.?)?\s*[:.]?\s*)([+(]?\d[\d\s\-()/]{6,}\d)/i;
/** A contact line: its digits are a number to call, whatever their shape. */
const CONTACT = /\b(TEL|PHONE|FAX|H\/?P|MOBILE)\b/i;
const WEBSITE = /\b(?:https?:\/\/)?(?:www\.)[a-z0-9-]+(?:\.[a-z0-9-]+)+\b|\b[a-z0-9-]+\.(?:com|net|org)(?:\.[a-z]{2})?\b/i;
const STORE_HOURS = /\b(OPEN(ING)?\s*(HOURS?)?|HOURS|BUSINESS\s+HOURS)\b|\d{1,2}(:\d{2})?\s*[AP]M\s*(-|TO)\s*\d{1,2}(:\d{2})?\s*[AP]M/i;
const LOYALTY = /\b(MEMBER(SHIP)?|LOYALTY|POINTS?\s+CARD|CARD)\s*(NO|ID|#|NUMBER)?\.?\s*[:.]?\s*([A-Z0-9*]{4,})/i;
const PAYMENT = /\b(CASH|VISA|MASTER\s*CARD|MASTERCARD|AMEX|CREDIT\s*CARD|DEBIT\s*CARD|E-?WALLET|TOUCH\s*'?N\s*GO|TNG|GRAB\s*PAY|BOOST|DEBIT|CREDIT)\b/i;
const TAX = /\b(GST|SST|VAT|TAX|SERVICE\s+(TAX|CHARGE))\b/i;
const NOT_TAX_AMOUNT = /\b(REG|ID|NO\.?|INVOICE|SUMMARY|EXCL|INCL(USIVE)?|CODE)\b/i;
const DISCOUNT = /\b(DISCOUNT|DISC\.?|SAVINGS?|LESS|PROMO(TION)?)\b/i;
const COUPON = /\b(COUPON|VOUCHER)\b/i;

/** The rules' tuned choices, as plain JSON: `unfold eval receipt --folds` fits them on training receipts. */
export type ReceiptRuleParameters = AddressRules & {
  /** How the values of fields read by an OCR are written: the convention of the labelled receipts. */
  ocrText: OcrTextRules;
  /** What a rule's confidence means, by label and by where the words came from: fitted on how often each was right (see `confidence-calibration.ts`). */
  calibration: ReceiptCalibration;
};

/**
 * What a receipt's words are: text given as it stands (SROIE's boxes, words with no reading
 * confidence) or text an OCR read with a confidence per word (a photo through the pipeline's
 * OCR, or another OCR's word list). OCR'd claims are right less often at the same rule
 * confidence (a misread letter spoils an exact field), so each has its calibration.
 */
export type WordSource = 'given' | 'ocr';
export type ReceiptCalibration = Readonly<Record<WordSource, Calibration>>;
const receiptCalibrationSchema = z.object({ given: calibrationSchema, ocr: calibrationSchema });

/** OCR'd when any word carries a reading confidence below certainty. */
export const wordSourceOf = (structure: ReceiptStructure): WordSource => (structure.rows.some((row) => row.words.some((word) => word.confidence < 1)) ? 'ocr' : 'given');

export const DEFAULT_RECEIPT_RULES: ReceiptRuleParameters = { maxAddressLines: 6, closeSpacedComma: true, fullStopAsComma: true, ocrText: { upperCase: true, spacedPunctuation: true, splitCaseChange: true, zeroAndLetterO: true, stopAsComma: true }, calibration: receiptCalibrationSchema.parse(shippedCalibration) };

function firstMatch(rows: readonly ReceiptRow[], patterns: RegExp[], prefer?: RegExp, accept: (text: string, row: ReceiptRow) => boolean = () => true): { row: ReceiptRow; text: string } | undefined {
  const ordered = prefer ? [...rows.filter((row) => prefer.test(row.text)), ...rows] : rows;
  for (const row of ordered) {
    for (const pattern of patterns) {
      const match = pattern.exec(row.text);
      if (match && accept(match[0], row)) return { row, text: match[0] };
    }
  }
  return undefined;
}

/**
 * Labels a receipt's fields with rules that need no network and no model. Returns the
 * fields in the order a person reads a receipt: header, then totals and payment.
 */
export function labelFields(structure: ReceiptStructure, parameters: ReceiptRuleParameters = DEFAULT_RECEIPT_RULES, source: WordSource = wordSourceOf(structure)): LabeledField[] {
  const { rows } = structure;
  const collector = new FieldCollector();
  const header = rows.filter((row) => row.section === 'header');

  findAddress(rows, findMerchant(rows, collector), collector, parameters);

  const phone = header.map((row) => ({ row, match: PHONE.exec(row.text) ?? BARE_PHONE.exec(row.text) })).find(({ match }) => match);
  if (phone?.match) collector.add('PHONE_NUMBER', phone.row, (phone.match[1] ?? phone.match[0]).trim(), PHONE.test(phone.row.text) ? 0.9 : 0.6, PHONE.test(phone.row.text) ? 'number after a phone keyword' : 'phone-shaped number in the header');

  const website = firstMatch(rows, [WEBSITE]);
  if (website) collector.add('WEBSITE', website.row, website.text, 0.85, 'web address');

  const hours = firstMatch(header, [STORE_HOURS]);
  if (hours) collector.add('STORE_HOURS', hours.row, hours.row.text.trim(), 0.6, 'opening hours wording');

  // A date is a real calendar day, and not the digits of a phone number ("TEL. : 05.22.95.66.66").
  const date = firstMatch(rows, DATE, /\bDATE\b/i, (text, row) => normalizeDate(text) !== undefined && !CONTACT.test(row.text));
  if (date) collector.add('DATE', date.row, date.text, /\bDATE\b/i.test(date.row.text) ? 0.95 : 0.85, /\bDATE\b/i.test(date.row.text) ? 'date on the DATE line' : 'first date-shaped text', normalizeDate(date.text));

  const time = firstMatch(rows, [TIME], /\bTIME\b/i);
  if (time) collector.add('TIME', time.row, time.text, 0.85, 'time-shaped text');

  const loyalty = rows.map((row) => ({ row, match: LOYALTY.exec(row.text) })).find(({ match }) => match && /\d/.test(match[4] ?? ''));
  if (loyalty?.match) collector.add('LOYALTY_ID', loyalty.row, loyalty.match[4] as string, 0.7, 'number after a member or card keyword');

  findKeywordAmount(rows, 'SUBTOTAL', SUBTOTAL, undefined, 0.9, 'amount of the subtotal line', collector);
  findKeywordAmount(rows, 'TAX', TAX, NOT_TAX_AMOUNT, 0.8, 'amount of the tax line', collector);
  findKeywordAmount(rows, 'DISCOUNT', DISCOUNT, undefined, 0.7, 'amount of a discount line', collector);
  findKeywordAmount(rows, 'COUPON', COUPON, undefined, 0.7, 'amount of a coupon or voucher line', collector);
  findTotal(rows, collector);

  const payment = rows.filter((row) => row.section !== 'header').map((row) => ({ row, match: PAYMENT.exec(row.text) })).find(({ match }) => match);
  if (payment?.match) collector.add('PAYMENT_METHOD', payment.row, payment.match[0].toUpperCase(), 0.75, 'payment keyword');

  return collector.fields.map((field) => ({
    ...field,
    ...(source === 'ocr' ? { value: writeOcrValue(field.field_name, field.value, parameters.ocrText) } : {}),
    confidence: calibrate(parameters.calibration[source], field.field_name, field.confidence),
  }));
}

export function currencyOf(structure: ReceiptStructure): string | undefined {
  return detectCurrency(structure.rows.map((row) => row.text).join('\n'));
}

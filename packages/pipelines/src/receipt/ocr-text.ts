import type { ReceiptLabel } from './receipt-labels.js';

/**
 * How a field's value is written when its words were read by an OCR (docs/ocr.md, "How OCR'd
 * text is written in the fields"). A photo's print is mixed case and tightly spaced ("27,Jalan"),
 * while people who label receipts write names and addresses in upper case with a space after
 * each comma ("27, JALAN"). Which convention to follow is learned from labelled receipts
 * (`unfold eval receipt --from images --folds`), not assumed; the words and their boxes stay
 * as read, only the values of the labelled fields are written this way.
 */
export type OcrTextRules = {
  /** Names, addresses and dates in upper case, as the labelled receipts write them. */
  upperCase: boolean;
  /** A comma run into the next word or number gets a space after it ("27,JALAN" → "27, JALAN"). */
  spaceAfterComma: boolean;
  /** A small letter followed by a capital is a space the OCR lost between words ("KualaLumpur"). */
  splitCaseChange: boolean;
};

/** The fields whose text a person copies out when labelling a receipt: amounts, phone numbers and the rest keep what was read. */
const WRITTEN_FIELDS: ReadonlySet<ReceiptLabel> = new Set(['MERCHANT_NAME', 'ADDRESS_LINE', 'DATE']);
/** Of those, the ones written as prose, where a comma separates parts (a date's commas are its own). */
const PROSE_FIELDS: ReadonlySet<ReceiptLabel> = new Set(['MERCHANT_NAME', 'ADDRESS_LINE']);

/** A field's value as `rules` write OCR'd text; the case change is split before upper case would hide it. */
export function writeOcrValue(field: ReceiptLabel, value: string, rules: OcrTextRules): string {
  if (!WRITTEN_FIELDS.has(field)) return value;
  let written = value;
  if (rules.splitCaseChange) written = written.replace(/(?<=\p{Ll})(?=\p{Lu})/gu, ' ');
  if (rules.spaceAfterComma && PROSE_FIELDS.has(field)) written = written.replace(/,(?=[\p{L}\p{N}])/gu, ', ');
  if (rules.upperCase) written = written.toUpperCase();
  return written;
}

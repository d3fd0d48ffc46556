import type { ReceiptLabel } from './receipt-labels.js';

/**
 * How a field's value is written when its words were read by an OCR (docs/ocr.md, "How OCR'd
 * text is written in the fields"). A photo's print is mixed case and tightly spaced ("27,Jalan"),
 * while people who label receipts write names and addresses in upper case with a space after
 * each comma ("27, JALAN"). Which convention to follow, and which of the recogniser's
 * misreadings to correct (`zeroAndLetterO`, `stopAsComma`), is learned from labelled receipts
 * (`unfold eval receipt --from images --folds`), not assumed; the words and their boxes stay
 * as read, only the values of the labelled fields are written this way.
 */
export type OcrTextRules = {
  /** Names, addresses and dates in upper case, as the labelled receipts write them. */
  upperCase: boolean;
  /**
   * Punctuation spaced as labellers space it: after a comma ("27,JALAN" → "27, JALAN"), after a
   * full stop between words ("SDN.BHD" → "SDN. BHD"), around parentheses ("(KL)SDN" → "(KL) SDN").
   */
  spacedPunctuation: boolean;
  /** A small letter followed by a capital is a space the OCR lost between words ("KualaLumpur"). */
  splitCaseChange: boolean;
  /**
   * In an address, a full stop after a word or number (not "NO", not an initial) with more of
   * the line after it is a comma: thermal print's commas are read as stops ("LOT 48.TMN").
   */
  stopAsComma: boolean;
  /** A 0 in a word of letters is the letter O ("L0T"), an O in a number the digit 0 ("4330O"): the recogniser confuses the two shapes. */
  zeroAndLetterO: boolean;
};

/** The fields whose text a person copies out when labelling a receipt: amounts, phone numbers and the rest keep what was read. */
const WRITTEN_FIELDS: ReadonlySet<ReceiptLabel> = new Set(['MERCHANT_NAME', 'ADDRESS_LINE', 'DATE']);
/** Of those, the ones written as prose, where a comma separates parts (a date's commas are its own). */
const PROSE_FIELDS: ReadonlySet<ReceiptLabel> = new Set(['MERCHANT_NAME', 'ADDRESS_LINE']);

/** Initials and numbers keep their stops ("D.I.Y.", "NO.2"): only a stop between two words of two letters or more is spaced. */
const spacePunctuation = (text: string): string =>
  text
    .replace(/,(?=[\p{L}\p{N}])/gu, ', ')
    .replace(/(?<=\b\p{L}{2,})\.(?=\p{L}{2,})/gu, '. ')
    .replace(/(?<=[^\s(])\(/gu, ' (')
    .replace(/\)(?=[\p{L}\p{N}])/gu, ') ');

/** An address's full stops read as the commas they are (`stopAsComma`); "NO." and a decimal point ("KM 12.5") stay. */
const commasForStops = (text: string): string =>
  text.replace(/(?<=(?:^|[^\p{L}\p{N}])([\p{L}\p{N}]{2,}))\.(?=(\s*)[\p{L}\p{N}]{2})/gu, (stop: string, word: string, space: string, offset: number) =>
    /^no$/i.test(word) || (space === '' && /\p{N}$/u.test(word) && /^\p{N}/u.test(text.slice(offset + 1))) ? stop : ',',
  );

/** A word whose only digits are zeros, or a number (two digits or more) whose only letters are O, with the odd ones out read as their look-alike. */
const zerosAndOs = (text: string): string =>
  text.replace(/[\p{L}\p{N}]+/gu, (token) => {
    const letters = token.replace(/\P{L}/gu, '');
    const digits = token.replace(/\P{N}/gu, '');
    if (letters.length > 0 && /^0+$/.test(digits)) return token.replaceAll('0', 'O');
    if (digits.length > 1 && /^[Oo]+$/.test(letters)) return token.replace(/[Oo]/g, '0');
    return token;
  });

/** A field's value as `rules` write OCR'd text: misreadings first (a case change is split before upper case would hide it), then the spacing and case of the convention. */
export function writeOcrValue(field: ReceiptLabel, value: string, rules: OcrTextRules): string {
  if (!WRITTEN_FIELDS.has(field)) return value;
  let written = value;
  if (rules.splitCaseChange) written = written.replace(/(?<=\p{Ll})(?=\p{Lu})/gu, ' ');
  if (rules.zeroAndLetterO && PROSE_FIELDS.has(field)) written = zerosAndOs(written);
  if (rules.stopAsComma && field === 'ADDRESS_LINE') written = commasForStops(written);
  if (rules.spacedPunctuation && PROSE_FIELDS.has(field)) written = spacePunctuation(written);
  if (rules.upperCase) written = written.toUpperCase();
  return written;
}

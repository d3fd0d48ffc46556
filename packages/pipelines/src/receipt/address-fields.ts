import type { FieldCollector } from './field-collector.js';
import type { RowSpan } from './merchant-fields.js';
import { normalizeDate } from './normalize.js';
import { ADDRESS_LIKE, ADDRESS_STOP, BARE_PHONE, DATE, LABELLED_NUMBER, PARENTHESISED, REGISTRATION_ONLY, STATES, SUFFIX_ONLY } from './receipt-patterns.js';
import type { ReceiptRow } from './receipt-structure.js';

const HONORIFIC = String.raw`DARUL\s+[A-Z]+|D\.?\s?E\.?`;
/** A line ending in a state or the country, with the honorific a state carries: an address that reaches one has ended. */
const REGION = new RegExp(String.raw`\b(${STATES}|KUALA\s+LUMPUR)(\s*,?\s*(${HONORIFIC}|T\.?))?[\s.,]*$`, 'i');
/** A line that only names regions, such as a state's honorific or the country under the state, or a further postcode with its state (a mailing one). */
const REGION_ONLY = new RegExp(String.raw`^(\d{5}\s*,?)?(\s*[,.]?\s*(${STATES}|KUALA|WILAYAH|LUMPUR|PERSEKUTUAN|${HONORIFIC}))+[\s.,]*$`, 'i');
/** Five digits, not after a label ("CHIT NUMBER: 12345" is a reference). */
const POSTCODE = /(?<!:\s*)\b\d{5}\b/;
const STREET = /\b(JALAN|JLN|JL\.|LORONG|LRG|LEBUH|PERSIARAN|ROAD|STREET|AVENUE)\b/i;
/** A line that opens with a house, lot or unit number: "NO. 5", "LOT 12", "A-3-1", "F.K06", "12,". */
const NUMBERED_START = /^(NO|LOT|UNIT|PTD?)?[\s.:,]*[A-Z]{0,2}[.\-/]?[A-Z]?\d/i;
const ADDRESS_LABEL = /^([A-Z]{1,4}\s+)?(ADD|ADDR|ADDRESS)\s*[:.]\s*/i;
/** A chain's outlet printed under its head-office address: a branch code and name, or a name in parentheses. */
const OUTLET = /^\d{3,4}[-\s]\s*[A-Z]|^\(.*\)$/i;

/** A line that ends the header's address block: contact, tax and document lines, a real date, a bare phone number in any format. */
function stopsAddress(text: string): boolean {
  return (
    ADDRESS_STOP.test(text) ||
    DATE.some((pattern) => normalizeDate(pattern.exec(text)?.[0] ?? '') !== undefined) ||
    (BARE_PHONE.test(text) && text.replace(BARE_PHONE, '').replace(/[^A-Z]/gi, '').length < 3) ||
    /^\+?[\d\s()-]{9,}$/.test(text)
  );
}

/**
 * How the address is written out where one printed line runs into the next, and how far it
 * runs. People copying a printed address out keep most of its punctuation but join its
 * lines as one sentence: these are the choices that are fitted on labelled receipts.
 */
export type AddressRules = {
  /** An address runs to at most this many lines; what follows is shop detail, not address. */
  maxAddressLines: number;
  /** A line ending in a comma set apart ("JALAN 6 ,") joins the next as "JALAN 6, …". */
  closeSpacedComma: boolean;
  /** A line ending in a full stop after a word ("JALAN 6.") joins the next with a comma. */
  fullStopAsComma: boolean;
};

/** A line's end where another line of the address follows it, as `rules` write it. */
function joinedEnd(line: string, rules: AddressRules): string {
  let end = line;
  if (rules.closeSpacedComma) end = end.replace(/\s+,$/, ',');
  // Not after an initial ("D.E.", "P."): there the stop abbreviates.
  if (rules.fullStopAsComma) end = end.replace(/(?<!(?:^|[\s.])[A-Z])\.$/i, ',');
  return end;
}

/**
 * Address lines: a block read after the name and one read from the header's top (a name
 * can be printed below the address); the first of them with a postcode, else whichever
 * was found. Blocks are built by `addressLines`.
 */
export function findAddress(rows: readonly ReceiptRow[], merchant: RowSpan | undefined, collector: FieldCollector, rules: AddressRules): void {
  const header = rows.filter((row) => row.section === 'header');
  const below = addressLines(header.filter((row) => row.index > (merchant?.last ?? -1)).slice(0, 9), rules.maxAddressLines);
  const fromTop = addressLines(header.filter((row) => !merchant || row.index < merchant.first || row.index > merchant.last).slice(0, 9), rules.maxAddressLines);
  const found = [below, fromTop].find((lines) => lines.some(({ line }) => POSTCODE.test(line))) ?? (below.length > 0 ? below : fromTop);
  for (const [index, { row, line }] of found.entries()) {
    const value = index < found.length - 1 ? joinedEnd(line, rules) : line;
    collector.add('ADDRESS_LINE', row, value, 0.8, index === 0 ? 'first line of the address block in the header' : 'continues the address');
  }
}

/**
 * From the first address-looking line, while lines are not contact, tax or document lines,
 * up to `maxLines`; registration numbers and the name's own tail are skipped. Once a line
 * with a postcode ends in a state or the country, only region names or the outlet's name
 * may follow.
 */
function addressLines(rows: readonly ReceiptRow[], maxLines: number): Array<{ row: ReceiptRow; line: string }> {
  const taken: Array<{ row: ReceiptRow; line: string }> = [];
  let postcodeSeen = false;
  let ended = false;
  for (const row of rows) {
    if (taken.length >= maxLines) break;
    // A label before the address ("ADDRESS:", "HQ ADD:") introduces it and is not part of it.
    const text = row.text.trim().replace(ADDRESS_LABEL, '');
    if (stopsAddress(text)) {
      // A contact printed after the address's last part on one line ("…, JOHOR, TEL: …") ends it there.
      const before = text.slice(0, ADDRESS_STOP.exec(text)?.index ?? 0).replace(/[\s,;]+$/, '');
      if (taken.length > 0 && !postcodeSeen && POSTCODE.test(before)) taken.push({ row, line: before });
      if (taken.length > 0) break;
      continue;
    }
    if (ended && !REGION_ONLY.test(text) && !OUTLET.test(text)) break;
    if (postcodeSeen && LABELLED_NUMBER.test(text)) break;
    if (REGISTRATION_ONLY.test(text) || SUFFIX_ONLY.test(text)) continue;
    if (taken.length === 0 && (!ADDRESS_LIKE.test(text) || PARENTHESISED.test(text) || !/[A-Z]/i.test(text))) continue;
    // A phone number printed at the end of the last address line is not part of it.
    const line = text.replace(/\s+\+?\(?\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}$/, '').trim();
    // An address starts at its number: lines before it with no number and no street name the building or outlet.
    if (taken.length > 0 && taken.length <= 2 && NUMBERED_START.test(text) && !POSTCODE.test(text.slice(0, 6)) && taken.every(({ line: before }) => !/\d/.test(before) && !STREET.test(before))) taken.length = 0;
    taken.push({ row, line });
    postcodeSeen ||= POSTCODE.test(text);
    ended ||= postcodeSeen && REGION.test(line);
  }
  return taken;
}

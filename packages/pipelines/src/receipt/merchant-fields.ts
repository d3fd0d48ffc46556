import { wordIdsFor, type FieldCollector } from './field-collector.js';
import { ADDRESS_LIKE, ADDRESS_STOP, LABELLED_NUMBER, PARENTHESISED, REGISTRATION_ONLY, SUFFIX_ONLY } from './receipt-patterns.js';
import type { ReceiptRow } from './receipt-structure.js';

/** The rows a field was read from, first to last. */
export type RowSpan = { first: number; last: number };

const COMPANY_SUFFIX =
  /\b(SDN\.?\s*B[HN]D\.?|S\/B|BHD\.?|BERHAD|ENTERPRISES?|TRADING|RESTAURANT|RESTORAN|STORES?|MART|MARKET|SUPERMARKET|HYPERMARKET|HARDWARE|SHOP|CAFE|CAF[EÉ]|BAKERY|STATIONERY|PHARMACY|LTD\.?|LLC|INC\.?|CORP(ORATION)?|COMPANY|PLT|HOLDINGS|KEDAI|PERNIAGAAN|SYARIKAT|TRADERS?|INDUSTRIES|SERVICES?|CENTRE|CENTER|OUTLET|BOOKSTORES?|GROCER(Y|S)?)\b/i;
const LEGAL_FORM = /\b(SDN\.?\s*B[HN]D\.?|S\/B|BHD\.?|BERHAD|LTD\.?|LLC|INC\.?|CORP(ORATION)?|PLT)(?![A-Z])/i;
const GENERIC_HEADER = /\b(TAX\s+INVOICE|INVOICE|RECEIPT|WELCOME|CASH\s+BILL|OFFICIAL|SIMPLIFIED|COPY|ORDER|TABLE|CHECK|BILL)\b/i;
/** Lines that are never a business name: courtesy and policy text, contact and registration lines. */
const NOT_A_NAME = /\b(THANK|GOODS|RETURN(ABLE)?|EXCHANGE|VISIT|PLEASE|COMPANY\s+NO|OUTLET|CARELINE|HOTLINE|POSTED)\b|:\s*\d/i;
const REGISTRATION = /(\(?\s*(CO\.?\s*(REG\.?)?\s*(NO\.?)?|COMPANY\s+(REG\.?\s*)?NO\.?|ROC\s*(NO\.?)?|REG\.?\s*NO\.?)\s*[:.]?\s*)?\(?\s*\b[A-Z]{0,3}\d{4,}[-\s]?[A-Z]\b\s*\)?/i;
/** A line that is a name fragment: letters, spaces and the usual punctuation of names. */
const NAME_LIKE = /^[A-Z][A-Z&.'()\s/-]*$/i;

/**
 * A line's name part: a name ends where its registration number starts (what follows is
 * an outlet code or a note), unless the number comes first.
 */
function nameOf(text: string): string {
  const match = REGISTRATION.exec(text);
  const before = match ? text.slice(0, match.index) : text;
  const name = !match || /[A-Z]{3}/i.test(before.replace(/[^A-Z]/gi, '')) ? before : text.slice(match.index + match[0].length);
  // A label before a colon ("OWNED BY:") introduces the name and is not part of it.
  return name.replace(/^\s*[A-Z][A-Z .]{2,20}:\s*(?=[A-Z])/i, '').replace(/[\s,;:]+$/, '').trim();
}

/** A name line runs on into the next: a parenthesis left open, a trailing "&", or the next line is its business form. */
function runsOn(text: string, next: string): boolean {
  const openParenthesis = (text.match(/\(/g) ?? []).length > (text.match(/\)/g) ?? []).length;
  return openParenthesis || /&\s*$/.test(text) || SUFFIX_ONLY.test(next) || /^(ENTERPRISES?|TRADING|SDN|\(M\)|CO\.)\b/i.test(next.trim());
}

/** A name row's text without the boxes printed beside the name that are no part of it: a stamp ("POSTED"), a contact. */
function besideName(row: ReceiptRow): string {
  const boxes = new Map<number, string[]>();
  for (const word of row.words) boxes.set(word.line_id, [...(boxes.get(word.line_id) ?? []), word.text]);
  const kept = [...boxes.values()].map((words) => words.join(' ')).filter((text) => !NOT_A_NAME.test(text));
  return kept.length > 0 ? kept.join(' ') : row.text;
}

const isNameLike = (row: ReceiptRow | undefined): row is ReceiptRow =>
  row !== undefined && NAME_LIKE.test(row.text.trim()) && !ADDRESS_LIKE.test(row.text) && !GENERIC_HEADER.test(row.text) && !ADDRESS_STOP.test(row.text);

/**
 * The business name: the registered business (a legal form) printed above the contact
 * lines, else the first header line naming a business form or trade, widened to
 * the lines it continues or that continue it ("SRI MUTIARA HARDWARE &" / "ELECTRICAL",
 * "PELANGI BOOK" / "CO. (M) SDN BHD"). Returns the last row it took, or -1.
 */
export function findMerchant(rows: readonly ReceiptRow[], collector: FieldCollector): RowSpan | undefined {
  const header = rows.filter((row) => row.section === 'header').slice(0, 10);
  const candidates = header.length > 0 ? header : rows.slice(0, 6);
  // Letters of the name itself: a registration line ("COMPANY NO: …") names no business.
  const letters = (row: ReceiptRow) => (nameOf(row.text).match(/[A-Z]/gi) ?? []).length;
  const naming = (row: ReceiptRow) => COMPANY_SUFFIX.test(row.text) && !SUFFIX_ONLY.test(row.text) && !PARENTHESISED.test(row.text) && !LABELLED_NUMBER.test(nameOf(row.text)) && letters(row) >= 3;
  // The registered business (its legal form) is the name before any trade or brand line,
  // as long as it is printed above the shop's contact and tax lines.
  const nameZone = candidates.slice(0, Math.max(1, candidates.findIndex((row) => ADDRESS_STOP.test(row.text) && !GENERIC_HEADER.test(row.text)) + 1 || candidates.length));
  // A legal form alone on its line belongs to the name above it.
  const legal = nameZone.find((row) => LEGAL_FORM.test(row.text) && (naming(row) || (SUFFIX_ONLY.test(row.text) && NAME_LIKE.test(rows[row.index - 1]?.text.trim() ?? '') && !ADDRESS_STOP.test(rows[row.index - 1]?.text ?? ''))));
  let chosen = legal && SUFFIX_ONLY.test(legal.text) ? rows[legal.index - 1] : legal;
  chosen ??= candidates.find((row) => naming(row) && !ADDRESS_LIKE.test(row.text.replace(COMPANY_SUFFIX, '')));
  chosen ??= candidates.find(naming);
  let reasoning = 'header line naming a business form or trade';
  let confidence = 0.9;
  if (!chosen) {
    chosen = candidates.find(
      (row) => letters(row) >= 3 && letters(row) >= row.text.replace(/\s/g, '').length * 0.6 && !GENERIC_HEADER.test(row.text) && !ADDRESS_STOP.test(row.text) && !NOT_A_NAME.test(row.text),
    );
    reasoning = 'first mostly-letters line of the header';
    confidence = 0.6;
  }
  if (!chosen) return undefined;
  let first = chosen.index;
  let last = chosen.index;
  // Upward: the chosen line starts like the tail of a name ("CO. (M) SDN BHD", "& SONS", "(BRANCH) SDN BHD",
  // "TRADING SDN. BHD"), or the line above runs on into it, and that line is a name fragment.
  const tailOfName = (text: string) => /^\s*(&|\(|CO\.|\(M\)|SDN|BHD|[A-Z']+\.?\s+(SDN|S\/B|BHD))/i.test(text) || text.trim().split(/\s+/).length === 1;
  for (;;) {
    const above = rows[first - 1];
    const text = rows[first]?.text ?? '';
    if (first <= chosen.index - 2 || !isNameLike(above) || NOT_A_NAME.test(above.text) || !(tailOfName(text) || runsOn(above.text, text))) break;
    first--;
  }
  // Downward: the name ends in "&", or the next line is its business form or a short tail,
  // or the next line is all that stands between the name and its registration number.
  for (;;) {
    const current = rows[last];
    const next = rows[last + 1];
    if (!current || !isNameLike(next) || REGISTRATION_ONLY.test(next.text)) break;
    const beforeRegistration = REGISTRATION_ONLY.test(rows[last + 2]?.text ?? '') && !NOT_A_NAME.test(next.text);
    if (!(runsOn(current.text, next.text) || beforeRegistration) || last - first >= 2) break;
    last++;
  }
  const value = rows
    .slice(first, last + 1)
    .map((row) => nameOf(besideName(row)).replace(/^#\d+\s+/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  const wordIds = rows.slice(first, last + 1).flatMap((row) => wordIdsFor(row, value));
  collector.add('MERCHANT_NAME', chosen, value, confidence, reasoning, undefined, wordIds);
  return { first, last };
}

import { wordIdsFor, type FieldCollector } from './field-collector.js';
import { normalizeDate } from './normalize.js';
import { BARE_PHONE, DATE } from './receipt-patterns.js';
import type { ReceiptRow } from './receipt-structure.js';

const COMPANY_SUFFIX =
  /\b(SDN\.?\s*B[HN]D\.?|S\/B|BHD\.?|BERHAD|ENTERPRISES?|TRADING|RESTAURANT|RESTORAN|STORES?|MART|MARKET|SUPERMARKET|HYPERMARKET|HARDWARE|SHOP|CAFE|CAF[EÉ]|BAKERY|STATIONERY|PHARMACY|LTD\.?|LLC|INC\.?|CORP(ORATION)?|COMPANY|PLT|HOLDINGS|KEDAI|PERNIAGAAN|SYARIKAT|TRADERS?|INDUSTRIES|SERVICES?|CENTRE|CENTER|OUTLET|BOOKSTORES?|GROCER(Y|S)?)\b/i;
const LEGAL_FORM = /\b(SDN\.?\s*B[HN]D\.?|S\/B|BHD\.?|BERHAD|LTD\.?|LLC|INC\.?|CORP(ORATION)?|PLT)(?![A-Z])/i;
const SUFFIX_ONLY = /^\s*(SDN\.?\s*B[HN]D\.?|S\/B|BHD\.?|BERHAD|\(?M\)?\s*SDN\.?\s*BHD\.?|TRADING|ENTERPRISES?|TRADERS?)\s*$/i;
const GENERIC_HEADER = /\b(TAX\s+INVOICE|INVOICE|RECEIPT|WELCOME|CASH\s+BILL|OFFICIAL|SIMPLIFIED|COPY|ORDER|TABLE|CHECK|BILL)\b/i;
/** Lines that are never a business name: courtesy and policy text, contact and registration lines. */
const NOT_A_NAME = /\b(THANK|GOODS|RETURN(ABLE)?|EXCHANGE|VISIT|PLEASE|COMPANY\s+NO|OUTLET|CARELINE|HOTLINE|POSTED)\b|:\s*\d/i;
const REGISTRATION = /(\(?\s*(CO\.?\s*(REG\.?)?\s*(NO\.?)?|COMPANY\s+(REG\.?\s*)?NO\.?|ROC\s*(NO\.?)?|REG\.?\s*NO\.?)\s*[:.]?\s*)?\(?\s*\b[A-Z]{0,3}\d{4,}[-\s]?[A-Z]\b\s*\)?/i;
const ADDRESS_STOP =
  /\b(ROC|CO\.?\s*NO|COMPANY\s+NO|GUEST|TEL|TELEPHONE|PHONE|FAX|H\/?P|MOBILE|GST|SST|REG\.?\s*NO|INVOICE|RECEIPT|DATE|CASHIER|E-?MAIL|TAX|DOC(UMENT)?\s*NO|BILL|TABLE|SLIP|WWW|HTTP|OPEN|HOURS|MEMBER|COUNTER|TERMINAL|POS\b|STAFF|SERVER|ORDER)\b|@/i;
/** Words and shapes that mark a line as part of a postal address. */
const ADDRESS_LIKE =
  /\b(NO[.:,]?\s*\d+|PTD?\.?\s*\d+|LOT|JALAN|JLN|JL\.|TAMAN|TMN|LEVEL|LEVEL|BLOCK|BLK|BANDAR|KAWASAN|SEKSYEN|SECTION|PERSIARAN|LORONG|LRG|KAMPUNG|KG\.?|BATU|WISMA|PLAZA|MENARA|KOMPLEKS|COMPLEX|MALL|FLOOR|FLR|GROUND|SUITE|UNIT|STREET|ST\.|ROAD|RD\.?|AVENUE|AVE|BOULEVARD|BLVD|DRIVE|LANE|WAY|PARK|INDUSTRIAL|PERINDUSTRIAN|CENTRE|CENTER|SQUARE|JOHOR|SELANGOR|KUALA\s+LUMPUR|PUTRAJAYA|PENANG|PULAU\s+PINANG|PERAK|PAHANG|KEDAH|KELANTAN|TERENGGANU|MELAKA|MALACCA|NEGERI\s+SEMBILAN|SABAH|SARAWAK|PERLIS|LABUAN|MALAYSIA|SINGAPORE)\b|\b\d{5}\b|^\d+[A-Z]?[-,\s]|^[A-Z]{1,2}\d{0,2}-[A-Z0-9]+(-[A-Z0-9]+)*,/i;
/** A line that is only a registration or reference number, e.g. "(AB1234567)", "(CO. REG : 123456-X)". */
const REGISTRATION_ONLY = /^\(?[^a-z]*?\b[A-Z]{0,4}\d{5,}[-\s]?[A-Z]?\)?\s*$|^\(.*\b(CO|REG|ROC|GST|NO)\b.*\)$/i;
/** A line that is a name fragment: letters, spaces and the usual punctuation of names. */
const NAME_LIKE = /^[A-Z][A-Z&.'()\s/-]*$/i;

/** A number after a label ("OUTLET: 03-…") marks a contact or reference line, not a name. */
const LABELLED_NUMBER = /:\s*\d/;
/** A line wholly in parentheses describes the business (its outlet, its kind) rather than naming it. */
const PARENTHESISED = /^\s*\(.*\)\s*$/;

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

const isNameLike = (row: ReceiptRow | undefined): row is ReceiptRow =>
  row !== undefined && NAME_LIKE.test(row.text.trim()) && !ADDRESS_LIKE.test(row.text) && !GENERIC_HEADER.test(row.text) && !ADDRESS_STOP.test(row.text);

/**
 * The business name: the registered business (a legal form) printed above the contact
 * lines, else the first header line naming a business form or trade, widened to
 * the lines it continues or that continue it ("SRI MUTIARA HARDWARE &" / "ELECTRICAL",
 * "PELANGI BOOK" / "CO. (M) SDN BHD"). Returns the last row it took, or -1.
 */
export function findMerchant(rows: readonly ReceiptRow[], collector: FieldCollector): { first: number; last: number } | undefined {
  const header = rows.filter((row) => row.section === 'header').slice(0, 10);
  const candidates = header.length > 0 ? header : rows.slice(0, 6);
  // Letters of the name itself: a registration line ("COMPANY NO: …") names no business.
  const letters = (row: ReceiptRow) => (nameOf(row.text).match(/[A-Z]/gi) ?? []).length;
  const naming = (row: ReceiptRow) => COMPANY_SUFFIX.test(row.text) && !SUFFIX_ONLY.test(row.text) && !PARENTHESISED.test(row.text) && !LABELLED_NUMBER.test(nameOf(row.text)) && letters(row) >= 3;
  // The registered business (its legal form) is the name before any trade or brand line,
  // as long as it is printed above the shop's contact and tax lines.
  const nameZone = candidates.slice(0, Math.max(1, candidates.findIndex((row) => ADDRESS_STOP.test(row.text)) + 1 || candidates.length));
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
  // Downward: the name ends in "&", or the next line is its business form or a short tail.
  for (;;) {
    const current = rows[last];
    const next = rows[last + 1];
    if (!current || !isNameLike(next) || REGISTRATION_ONLY.test(next.text)) break;
    if (!runsOn(current.text, next.text) || last - first >= 2) break;
    last++;
  }
  const value = rows
    .slice(first, last + 1)
    .map((row) => nameOf(row.text).replace(/^#\d+\s+/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  const wordIds = rows.slice(first, last + 1).flatMap((row) => wordIdsFor(row, value));
  collector.add('MERCHANT_NAME', chosen, value, confidence, reasoning, undefined, wordIds);
  return { first, last };
}

/** Malaysia's states and the neighbouring country the receipts name. */
const STATES = String.raw`JOHOR|SELANGOR|PUTRAJAYA|PENANG|PULAU\s+PINANG|PERAK|PAHANG|KEDAH|KELANTAN|TERENGGANU|MELAKA|MALACCA|NEGERI\s+SEMBILAN|SABAH|SARAWAK|PERLIS|LABUAN|MALAYSIA|SINGAPORE`;
const HONORIFIC = String.raw`DARUL\s+[A-Z]+|D\.?\s?E\.?`;
/** A line ending in a state or the country, with the honorific a state carries: an address that reaches one has ended. */
const REGION = new RegExp(String.raw`\b(${STATES}|KUALA\s+LUMPUR)(\s*,?\s*(${HONORIFIC}|T\.?))?[\s.,]*$`, 'i');
/** A line that only names regions, such as a state's honorific or the country under the state. */
const REGION_ONLY = new RegExp(String.raw`^(\s*[,.]?\s*(${STATES}|KUALA|WILAYAH|LUMPUR|PERSEKUTUAN|${HONORIFIC}))+[\s.,]*$`, 'i');
/** Five digits, not after a label ("CHIT NUMBER: 12345" is a reference). */
const POSTCODE = /(?<!:\s*)\b\d{5}\b/;
const STREET = /\b(JALAN|JLN|JL\.|LORONG|LRG|LEBUH|PERSIARAN|ROAD|STREET|AVENUE)\b/i;
/** A line that opens with a house, lot or unit number: "NO. 5", "LOT 12", "A-3-1", "F.K06", "12,". */
const NUMBERED_START = /^(NO|LOT|UNIT|PTD?)?[\s.:,]*[A-Z]{0,2}[.\-/]?[A-Z]?\d/i;
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
 * Address lines: a block read after the name and one read from the header's top (a name
 * can be printed below the address); the first of them with a postcode, else whichever
 * was found. Blocks are built by `addressLines`.
 */
export function findAddress(rows: readonly ReceiptRow[], merchant: { first: number; last: number } | undefined, collector: FieldCollector, maxLines: number): void {
  const header = rows.filter((row) => row.section === 'header');
  const below = addressLines(header.filter((row) => row.index > (merchant?.last ?? -1)).slice(0, 9), maxLines);
  const fromTop = addressLines(header.filter((row) => !merchant || row.index < merchant.first || row.index > merchant.last).slice(0, 9), maxLines);
  const found = [below, fromTop].find((lines) => lines.some(({ line }) => POSTCODE.test(line))) ?? (below.length > 0 ? below : fromTop);
  for (const [index, { row, line }] of found.entries()) collector.add('ADDRESS_LINE', row, line, 0.8, index === 0 ? 'first line of the address block in the header' : 'continues the address');
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
    const text = row.text.trim();
    if (stopsAddress(text)) {
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

/** Patterns more than one labelling module reads. */
export const DATE = [
  /\b\d{4}[/\-.]\d{1,2}[/\-.]\d{1,2}\b/,
  /\b\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2,4}\b/,
  /\b\d{1,2}[\s\-/.]?(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*[\s\-/.,]*\d{2,4}\b/i,
  /\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*[\s\-/.]*\d{1,2},?[\s\-/.]*\d{2,4}\b/i,
];
export const BARE_PHONE = /\b(\+?\d{1,3}[\s-])?\(?0\d{1,2}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b/;


// The header's lines, read by the name and the address rules alike.

/** Malaysia's states and the neighbouring country the receipts name. */
export const STATES = String.raw`JOHOR|SELANGOR|PUTRAJAYA|PENANG|PULAU\s+PINANG|PERAK|PAHANG|KEDAH|KELANTAN|TERENGGANU|MELAKA|MALACCA|NEGERI\s+SEMBILAN|SABAH|SARAWAK|PERLIS|LABUAN|MALAYSIA|SINGAPORE`;
export const SUFFIX_ONLY = /^\s*(SDN\.?\s*B[HN]D\.?|S\/B|BHD\.?|BERHAD|\(?M\)?\s*SDN\.?\s*BHD\.?|TRADING|ENTERPRISES?|TRADERS?)\s*$/i;
export const ADDRESS_STOP =
  /\b(ROC|CO\.?\s*NO|COMPANY\s+NO|GUEST|TEL|TELEPHONE|PHONE|FAX|H\/?P|MOBILE|GST|SST|REG\.?\s*NO|INVOICE|RECEIPT|DATE|CASHIER|E-?MAIL|TAX|DOC(UMENT)?\s*NO|BILL|TABLE|SLIP|WWW|HTTP|OPEN|HOURS|MEMBER|COUNTER|TERMINAL|POS\b|STAFF|SERVER|ORDER)\b|@/i;
/** Words and shapes that mark a line as part of a postal address. */
export const ADDRESS_LIKE = new RegExp(
  String.raw`\b(NO[.:,]?\s*\d+|PTD?\.?\s*\d+|LOT|JALAN|JLN|JL\.|TAMAN|TMN|LEVEL|BLOCK|BLK|BANDAR|KAWASAN|SEKSYEN|SECTION|PERSIARAN|LORONG|LRG|KAMPUNG|KG\.?|BATU|WISMA|PLAZA|MENARA|KOMPLEKS|COMPLEX|MALL|FLOOR|FLR|GROUND|SUITE|UNIT|STREET|ST\.|ROAD|RD\.?|AVENUE|AVE|BOULEVARD|BLVD|DRIVE|LANE|WAY|PARK|INDUSTRIAL|PERINDUSTRIAN|CENTRE|CENTER|SQUARE|KUALA\s+LUMPUR|${STATES})\b|\b\d{5}\b|^\d+[A-Z]?[-,\s]|^[A-Z]{1,2}\d{0,2}-[A-Z0-9]+(-[A-Z0-9]+)*,`,
  'i',
);
/** A line that is only a registration or reference number, e.g. "(AB1234567)", "(CO. REG : 123456-X)". */
export const REGISTRATION_ONLY = /^\(?[^a-z]*?\b[A-Z]{0,4}\d{5,}[-\s]?[A-Z]?\)?\s*$|^\(.*\b(CO|REG|ROC|GST|NO)\b.*\)$/i;
/** A number after a label ("OUTLET: 03-…") marks a contact or reference line, not a name. */
export const LABELLED_NUMBER = /:\s*\d/;
/** A line wholly in parentheses describes the business (its outlet, its kind) rather than naming it. */
export const PARENTHESISED = /^\s*\(.*\)\s*$/;

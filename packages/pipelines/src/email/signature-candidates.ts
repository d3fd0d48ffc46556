import { findPhoneNumbersInText } from 'libphonenumber-js';
import { SIGN_OFF } from './parse-email.js';
import type { ParsedEmail } from './parse-email.js';
import { EMAIL, FAX, LOCATION, ORGANISATION, PHONE, PHONE_NUMBER, QUOTED_HEADER, SIGNED_NAME, TITLE_WORDS, clean } from './email-patterns.js';
import type { EmailField } from './rules-extractor.js';

/** The fields the signature model reads; the rules keep the rest. */
export const MODEL_FIELDS = ['candidate_name', 'job_title', 'company_name', 'phone', 'email'] as const;
export type ModelField = (typeof MODEL_FIELDS)[number];

/** What kind of span a field's value is: a line or part of one, a phone number, an address. */
export const CANDIDATE_KIND: Record<ModelField, Candidate['kind']> = { candidate_name: 'line', job_title: 'line', company_name: 'line', phone: 'phone', email: 'email' };

/** A span of the message that could be a field's value, and the binary features that describe it. */
export interface Candidate {
  kind: 'line' | 'phone' | 'email';
  text: string;
  features: string[];
}

/** What the rules read from the signature, as features: the model learns when to trust them. */
export type RulePicks = Partial<Record<EmailField, string>>;

/** Words of running text, rare in a name, title or company line. */
const PROSE_WORDS = /\b(the|and|to|of|for|is|are|was|be|you|your|i|we|me|my|will|would|please|this|that|it|if|on|in|at|with|have|has|can|let|know|thanks|call|here|there|not)\b/gi;
const HEADER_LABEL = /^(from|to|cc|bcc|sent|date|subject|re|fw|fwd)\s*:/i;
const STREET = /^\d+\s+\w+.*\b(street|st|avenue|ave|road|rd|suite|ste|floor|fl|blvd|boulevard|drive|dr|lane|ln|way|plaza|tower|center|centre|p\.?o\.? box)\b/i;
const PHONE_LABEL = /\b(fax|facsimile|fx|cell|cel|mobile|mob|pager|home|direct|office|work|tel|telephone|phone|voice|main|ph)\b|\b([fcmohwpt])\s*[:.)]\s*$/i;
/** Closings the parser does not take as a sign-off, kept from signing the message as a name. */
const CLOSING = /^(cordially|yours|yours truly|warmly|ciao|later|peace|ttyl|rgds|best|regards|thanks|thank you|thx|sincerely|cheers)\W*$/i;
/** A line that ends on a closing, whatever follows it: "…any questions.  Thanks!  -". */
const CLOSING_END = /\b(thanks|thank you|thx|regards|cheers|best|sincerely|cordially)\b[\s!.,:;-]*$/i;
const URL = /\b(https?:\/\/|www\.)/i;

const bucket = (value: number, top: number) => String(Math.min(value, top));

/** Shape of a piece of text: capitals, digits, length, the word classes the rules know. */
function shape(text: string, prefix = ''): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const letters = text.replace(/[^A-Za-z]/g, '');
  const features = [`words=${bucket(words.length, 7)}`];
  if (letters !== '' && letters === letters.toUpperCase()) features.push(letters.length <= 3 ? 'initials' : 'all_caps');
  if (words.length > 0 && words.every((word) => /^[A-Z(&]/.test(word) || /^(of|and|the|for|&|-|de|van|von|la)$/.test(word))) features.push('title_case');
  if (/^[a-z]/.test(text)) features.push('lower_start');
  if (/\d/.test(text)) features.push('digit');
  if (/@/.test(text)) features.push('at');
  if (URL.test(text)) features.push('url');
  if (/[.!?]$/.test(text) && !/\b[A-Z][a-z]{0,3}\.$|\b(inc|co|corp|ltd|jr|sr)\.$/i.test(text)) features.push('sentence_end');
  if (/:/.test(text)) features.push('colon');
  if (/,/.test(text)) features.push('comma');
  if (/[()]/.test(text)) features.push('paren');
  if (text.length > 45) features.push('long');
  const prose = text.match(PROSE_WORDS)?.length ?? 0;
  if (prose > 0) features.push(`prose=${bucket(prose, 3)}`);
  if (TITLE_WORDS.test(text)) features.push('title_word');
  if (ORGANISATION.test(text)) features.push('org_word');
  if (SIGNED_NAME.test(text) && !TITLE_WORDS.test(text) && !ORGANISATION.test(text)) features.push('name_shape');
  if (SIGN_OFF.test(text) || CLOSING.test(text)) features.push('sign_off');
  if (/^[a-z]{2,10}$/.test(text)) features.push('lower_word');
  if (HEADER_LABEL.test(text)) features.push('header');
  if (STREET.test(text) || LOCATION.test(text)) features.push('address');
  if (PHONE.test(text)) features.push('phone');
  return prefix === '' ? features : features.map((feature) => `${prefix}${feature}`);
}

interface Line {
  text: string;
  /** Non-empty lines after it in the message. */
  fromEnd: number;
  /** Non-empty lines since the last sign-off above it (0: the sign-off line), or undefined. */
  afterSignOff: number | undefined;
  inSignature: boolean;
  blankBefore: boolean;
  blankAfter: boolean;
}

/** The message's non-empty lines with where each stands: from the end, after the sign-off, inside the signature found by the parser. */
function linesOf(email: ParsedEmail): Line[] {
  const raw = email.body.split('\n');
  const signatureLines = new Set(email.signature.split('\n').map((line) => line.trim()).filter(Boolean));
  const signatureStart = email.signature === '' ? -1 : email.body.lastIndexOf(email.signature.split('\n')[0] as string);
  const lines: Line[] = [];
  let offset = 0;
  let signOff: number | undefined;
  for (const [at, line] of raw.entries()) {
    const text = line.trim().replace(/^>+\s*/, '');
    const start = offset;
    offset += line.length + 1;
    if (text === '' || QUOTED_HEADER.test(text)) continue;
    if (SIGN_OFF.test(text) || CLOSING_END.test(text)) signOff = lines.length;
    lines.push({
      text,
      fromEnd: 0,
      afterSignOff: signOff === undefined ? undefined : lines.length - signOff,
      inSignature: signatureStart >= 0 && start >= signatureStart && signatureLines.has(line.trim()),
      blankBefore: at === 0 || (raw[at - 1] as string).trim() === '',
      blankAfter: at === raw.length - 1 || (raw[at + 1] as string).trim() === '',
    });
  }
  for (const [at, line] of lines.entries()) line.fromEnd = lines.length - 1 - at;
  return lines;
}

/** Where a line stands, as features every candidate on it shares. */
function placeOf(lines: readonly Line[], at: number): string[] {
  const line = lines[at] as Line;
  const features = [`from_end=${bucket(line.fromEnd, 8)}`];
  features.push(line.afterSignOff === undefined || line.afterSignOff > 6 ? 'after_sign_off=none' : `after_sign_off=${line.afterSignOff}`);
  if (line.inSignature) features.push('in_signature');
  if (line.blankBefore) features.push('blank_before');
  if (line.blankAfter) features.push('blank_after');
  const previous = lines[at - 1];
  const next = lines[at + 1];
  features.push(...(previous ? shape(previous.text, 'prev:').filter((feature) => !feature.startsWith('prev:words')) : ['prev:none']));
  features.push(...(next ? shape(next.text, 'next:').filter((feature) => !feature.startsWith('next:words')) : ['next:none']));
  return features;
}

/** The parts a signature line is cut into: "Jo Park, Analyst | Bluefield" → the whole line and each part. */
function segmentsOf(text: string): Array<{ text: string; segment: string }> {
  const segments = [{ text, segment: 'whole' }];
  const withoutNote = text.replace(/\s*\(.*\)\s*$/, '');
  if (withoutNote !== text && withoutNote !== '') {
    segments.push({ text: withoutNote, segment: 'before_note' });
    segments.push({ text: text.slice(withoutNote.length).replace(/^\s*\(|\)\s*$/g, ''), segment: 'note' });
  }
  // "Bluefield Analytics, Inc. tel: 415-…": what stands before the contact details.
  const contact = /\s*(?:\b(?:tel|phone|fax|cell|mobile|e-?mail)\b\s*[:.]?\s*)?(?:\+?\(?\d{3}\)?[\s.-]?\d{3}|[\w.+-]+@)/i.exec(text);
  if (contact && contact.index > 0) segments.push({ text: text.slice(0, contact.index), segment: 'before_contact' });
  const signedInline = /^(?:thanks|thank you|regards|best|cheers|rgds|sincerely|thx)[^,.!-]*[,.!-]+\s*(.+)$/i.exec(text);
  if (signedInline) segments.push({ text: signedInline[1] as string, segment: 'after_sign_off_word' });
  // "…let me know.  Thanks.  Sara": a name signed at the end of the last sentence.
  const afterSentence = /(?:(?<!\b[A-Z])[.?!,:)]|\s{2})\s+((?:[A-Za-z][\w'’.-]*\s?){1,3})$/.exec(text);
  if (afterSentence && afterSentence[1] !== text) segments.push({ text: (afterSentence[1] as string).trim(), segment: 'after_sentence' });
  const withoutExtension = text.replace(/\s+(?:x|ext\.?\s*)\d[\d-]{2,6}$/i, '');
  if (withoutExtension !== text) segments.push({ text: withoutExtension, segment: 'before_extension' });
  const dashSigned = /(?:^|\s)--?\s?([A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+)?)\s*$/.exec(text);
  if (dashSigned && dashSigned[1] !== text) segments.push({ text: dashSigned[1] as string, segment: 'after_dashes' });
  const parts = text.split(/\s*[,|•·;]\s+|\s+[-–]\s+|\t+|\s{3,}/).filter((part) => part.trim() !== '');
  if (parts.length > 1) for (const [at, part] of parts.entries()) segments.push({ text: part, segment: at === 0 ? 'first_part' : at === parts.length - 1 ? 'last_part' : 'middle_part' });
  return segments;
}

const MAX_LINE_WORDS = 12;
const TAIL_LINES = 8;

/**
 * Every span of the message that could be a name, title, organisation, phone or e-mail
 * address, with its features: the span's shape, where its line stands (from the end, after
 * the sign-off, in the parser's signature) and what its neighbours look like. Nothing
 * names a word of any particular person or company: the model learns only shapes and places.
 */
export function candidatesOf(email: ParsedEmail, picks: RulePicks = {}): Candidate[] {
  const lines = linesOf(email);
  const candidates: Candidate[] = [];
  const picked = (field: EmailField, text: string) => picks[field] !== undefined && clean(picks[field] as string) === clean(text);
  let phones = 0;
  let addressRank = 0;
  const addresses = lines.flatMap((line) => line.text.match(new RegExp(EMAIL.source, 'gi')) ?? []);
  for (const [at, line] of lines.entries()) {
    // A signature closes its message: lines far above the end, outside the parser's
    // signature and not just under a sign-off, are text and only add decoys.
    if (!line.inSignature && line.fromEnd > TAIL_LINES && (line.afterSignOff === undefined || line.afterSignOff > 6)) continue;
    const place = placeOf(lines, at);
    if (line.text.split(/\s+/).length <= MAX_LINE_WORDS) {
      for (const { text, segment } of segmentsOf(line.text)) {
        // "Thanks, Kim.": a signed word keeps no full stop.
        const value = clean(text).replace(/^([A-Za-z][\w'’-]*)\.$/, '$1');
        if (value === '' || !/[A-Za-z]/.test(value)) continue;
        const own = shape(value);
        const rules = (['candidate_name', 'job_title', 'company_name'] as const).filter((field) => picked(field, value)).map((field) => `rules:${field}`);
        if (addresses.some((address) => namesAddress(address, [{ text: value }]))) rules.push('named_in_address');
        // A few crossings the sum of single features cannot express.
        const signed = own.filter((feature) => feature === 'name_shape' || feature === 'lower_word' || feature === 'initials');
        const crossed = [
          `segment=${segment}&${own[0] as string}`,
          ...(line.blankBefore && line.blankAfter ? signed.map((feature) => `alone&${feature}`) : []),
          ...(line.fromEnd === 0 ? signed.map((feature) => `last&${feature}`) : []), ...own.filter((feature) => feature === 'name_shape' || feature === 'title_word' || feature === 'org_word').map((feature) => `${feature}&${place[1] as string}`), ...(line.inSignature ? own.map((feature) => `sig&${feature}`) : [])];
        candidates.push({ kind: 'line', text: value, features: [`segment=${segment}`, ...own, ...place, ...rules, ...crossed] });
      }
    }
    const lineShape = [`line_words=${bucket(line.text.split(/\s+/).length, 12)}`, ...(HEADER_LABEL.test(line.text) ? ['line_header'] : []), ...(line.text.match(PROSE_WORDS) ? ['line_prose'] : [])];
    for (const phone of phoneSpans(line.text)) {
      const before = line.text.slice(Math.max(0, phone.at - 16), phone.at);
      const label = PHONE_LABEL.exec(before.split(/[\d)]\s*(?=\D*$)/).pop() ?? before);
      const labelWord = label ? (label[1] ?? label[2] ?? '').toLowerCase() : 'none';
      const after = line.text.slice(phone.at + phone.text.length, phone.at + phone.text.length + 12);
      const afterLabel = /^\s*\(?\s*(fax|fx|cell|mobile|office|home|direct|work|pager|f|c|m|o|h|w)\b/i.exec(after)?.[1]?.toLowerCase();
      const features = [`label=${labelWord}`, ...(afterLabel ? [`after_label=${afterLabel}`] : []), ...(FAX.test(line.text) ? ['fax_on_line'] : []), ...(phone.valid ? ['valid'] : ['invalid']), ...(/x|ext/i.test(phone.text) ? ['extension'] : []), `rank=${bucket(phones++, 3)}`, ...(picked('phone', phone.text) ? ['rules:phone'] : []), ...place.slice(0, 5), ...lineShape];
      candidates.push({ kind: 'phone', text: phone.text, features });
    }
    for (const match of line.text.matchAll(new RegExp(EMAIL.source, 'gi'))) {
      const at = match.index;
      const before = line.text.slice(0, at);
      const features = [
        ...(/e-?mail|mail to|mailto/i.test(before) ? ['label=email'] : []),
        ...(/[<[]\s*$/.test(before) ? ['bracketed'] : []),
        ...(line.text.trim() === match[0] ? ['alone_on_line'] : []),
        ...(PHONE.test(line.text) ? ['phone_on_line'] : []),
        `rank=${bucket(addressRank++, 3)}`,
        ...(picked('email', match[0]) ? ['rules:email'] : []),
        ...(namesAddress(match[0], lines) ? ['names_a_line'] : []),
        ...place.slice(0, 5),
        ...lineShape,
      ];
      candidates.push({ kind: 'email', text: match[0], features });
    }
  }
  return candidates;
}

/**
 * Whether an address is made of a line's name ("jo.park@…", "jpark@…" under "Jo Park"): a
 * person's address and signed name vouch for each other.
 */
function namesAddress(address: string, lines: ReadonlyArray<{ text: string }>): boolean {
  const local = (address.split('@')[0] ?? '').toLowerCase().replace(/[^a-z]/g, '');
  return lines.some(({ text }) => SIGNED_NAME.test(text) && text.toLowerCase().split(/[^a-z]+/).some((word) => word.length >= 3 && local.includes(word)));
}

/** Phone numbers on a line: what libphonenumber-js finds as a valid number, and what the rules' pattern finds besides. */
function phoneSpans(line: string): Array<{ text: string; at: number; valid: boolean }> {
  const spans = findPhoneNumbersInText(line, 'US')
    .map((found) => ({ text: line.slice(found.startsAt, found.endsAt), at: found.startsAt, valid: true }))
    .filter(({ text, at }) => !/\w/.test(line.charAt(at - 1)) && !/\w/.test(line.charAt(at + text.length)));
  const pattern = new RegExp(PHONE_NUMBER.source, 'g');
  for (const match of line.matchAll(pattern)) {
    // A run of digits inside a longer one (a message id, a date stamp) is not a number to call.
    const at = match.index + match[0].length - match[0].trimStart().length;
    if (/\w/.test(line.charAt(at - 1)) || /\d/.test(line.charAt(match.index + match[0].length))) continue;
    const digits = match[0].replace(/\D/g, '');
    if (/^(\d)\1+$/.test(digits) || spans.some((span) => span.text.replace(/\D/g, '').includes(digits.slice(-7)))) continue;
    spans.push({ text: match[0].trim(), at, valid: false });
  }
  return spans;
}

import { EMAIL, FAX, JOB_IN_TEXT, PHONE, isPlausiblePhone } from './email-patterns.js';
import type { ParsedEmail } from './parse-email.js';
import type { EmailField, ExtractedField } from './rules-extractor.js';

/** A person's name as written: one to three capitalised words ("Kevin", "Ana de la Cruz" reads "Ana"). */
const NAME = String.raw`([A-Z][a-zA-Z'’-]+(?:[ \t]+[A-Z][a-zA-Z'’-]+|\s*\n[ \t]*[A-Z][a-zA-Z'’-]+(?=[ \t,.]|$)){0,2})`;
/** A first and last name, at least. */
const FULL_NAME = String.raw`([A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+){1,2})`;
/** A title before the name is not part of it. */
const HONORIFIC = String.raw`(?:(?:Dr|Mr|Mrs|Ms|Mx)\.?\s+)?`;

/**
 * How a sender hands someone else over, each followed by the person's name: "I'd like to
 * introduce you to …", "please meet …", "I'm referring …", "I highly recommend …". "referred
 * by" and "recommended by" name the referrer instead, and are not here.
 */
const INTRODUCTIONS: readonly RegExp[] = [
  new RegExp(String.raw`\bintroduc(?:e|ing)\s+(?:you\s+(?:all\s+|both\s+)?)?(?:to\s+)?${HONORIFIC}${NAME}`),
  new RegExp(String.raw`\b(?:please|like you to|want you to|wanted you to|you should|chance to)\s+meet\s+${HONORIFIC}${NAME}`, 'i'),
  // A bare "refer"/"recommend" takes anything ("I recommend Friday"): these need a full name and what it is for.
  new RegExp(String.raw`\b(?:refer|referring)\s+${HONORIFIC}${FULL_NAME}\s*(?:to|for|as|who|,)`),
  new RegExp(String.raw`\brecommend(?:ing)?\s+${HONORIFIC}${FULL_NAME}\s*(?:to|for|as|who|,|\(|\.(?:\s|$))`),
];
/** A subject that announces one: "Introduction - Kevin Sullivan for …", "Referral: Ana Ruiz". */
const SUBJECT = new RegExp(String.raw`^(?:(?:re|fw|fwd)\s*:\s*)*(?:introduction|intro|referral|candidate referral|recommendation)\s*(?:of\s+|[-:–—]\s*)${HONORIFIC}${NAME}`, 'i');
/** Capitalised words that open a sentence or name a group, not a person. */
const NOT_A_NAME = /^(?:you|your|yours|our|my|the|this|that|these|those|him|her|them|us|we|team|everyone|all|both|someone|somebody|a|an|myself)$/i;

/** The name after a trigger, cut at the first word that cannot be part of it. */
function nameAt(match: RegExpExecArray | null): string | undefined {
  const words = (match?.[1] ?? '').split(/\s+/).filter((word) => word !== '');
  const end = words.findIndex((word) => NOT_A_NAME.test(word));
  const name = (end < 0 ? words : words.slice(0, end)).join(' ');
  return name === '' ? undefined : name;
}

/** The person the sender introduces, by the first introduction in the message, else the subject. */
export function introducedName(email: Pick<ParsedEmail, 'subject' | 'body' | 'sender_name'>): string | undefined {
  const found = INTRODUCTIONS.map((pattern) => nameAt(pattern.exec(email.body))).find((name) => name !== undefined) ?? nameAt(SUBJECT.exec(email.subject.trim()));
  if (found === undefined) return undefined;
  // Introducing oneself, or the sender's own name in the subject, is not a referral.
  const sender = email.sender_name.toLowerCase();
  return sender !== '' && (sender.includes(found.toLowerCase()) || found.toLowerCase().includes(sender)) ? undefined : found;
}

/** The message's own text: the body without the sender's signature, whose contacts are the sender's. */
function prose(email: ParsedEmail): string {
  const at = email.signature ? email.body.lastIndexOf(email.signature) : -1;
  return at >= 0 ? email.body.slice(0, at) : email.body;
}

/** Whether an address looks like the person's: its local part holds one of their names. */
function addressOf(name: string, address: string): boolean {
  const local = address.split('@')[0]?.toLowerCase() ?? '';
  return name
    .toLowerCase()
    .split(/\s+/)
    .some((part) => part.length >= 3 && local.includes(part));
}

/**
 * The introduced person's e-mail address: one in the message text or on the Cc line that
 * holds their name, else the first one in the text that is not the sender's.
 */
function candidateEmail(email: ParsedEmail, name: string, text: string): string | undefined {
  const sender = email.sender_email.toLowerCase();
  const inText = [...text.matchAll(new RegExp(EMAIL.source, 'gi'))].map((match) => match[0].replace(/\.$/, '')).filter((address) => address.toLowerCase() !== sender);
  const copied = (email.cc ?? []).filter((entry) => entry.address !== '' && (entry.name.toLowerCase() === name.toLowerCase() || addressOf(name, entry.address))).map((entry) => entry.address);
  return inText.find((address) => addressOf(name, address)) ?? copied[0] ?? inText[0];
}

/** The first plausible phone number in the message text that is not a fax. */
function candidatePhone(text: string): string | undefined {
  for (const match of text.matchAll(new RegExp(PHONE.source, 'gi'))) {
    const number = (match[1] as string).trim();
    if (!FAX.test(text.slice(Math.max(0, match.index - 12), match.index)) && isPlausiblePhone(number)) return number;
  }
  return undefined;
}

const text = (field_name: EmailField, value: string | undefined, source: string): ExtractedField[] => (value === undefined ? [] : [{ field_name, value, source, origin: 'text' }]);

/**
 * A referral read as one: when the sender introduces someone, the candidate is that person,
 * with the e-mail address and phone number the message gives for them (never the sender's
 * signature), the role is the one the message names, and the sender, as the signature or
 * headers gave them, becomes `referrer_name` and `referrer_email`. Any other email is left
 * as the rules read it.
 */
export function readAsReferral(email: ParsedEmail, fields: readonly ExtractedField[]): ExtractedField[] {
  const name = introducedName(email);
  if (name === undefined) return [...fields];
  const read = (field: EmailField) => fields.find((entry) => entry.field_name === field);
  const message = prose(email);
  const role = JOB_IN_TEXT.exec(`${email.subject}\n${message}`)?.[1];
  const sender = read('candidate_name');
  const senderEmail = read('email');
  const replaced = new Set<EmailField>(['candidate_name', 'email', 'phone', 'job_title', 'referrer_name', 'referrer_email']);
  return [
    ...text('candidate_name', name, 'person introduced in the message'),
    ...text('email', candidateEmail(email, name, message), "the introduced person's e-mail address in the message"),
    ...text('phone', candidatePhone(message), "the introduced person's phone number in the message"),
    ...text('job_title', role, 'position named in the message'),
    ...(sender ? [{ ...sender, field_name: 'referrer_name' as const, source: `the sender, who introduces them (${sender.source})` }] : []),
    ...(senderEmail ? [{ ...senderEmail, field_name: 'referrer_email' as const, source: `the sender's address (${senderEmail.source})` }] : []),
    ...fields.filter((field) => !replaced.has(field.field_name)),
  ];
}

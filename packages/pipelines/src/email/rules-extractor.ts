import { EMAIL, FAX, JOB_IN_TEXT, LOCATION, ORGANISATION, PHONE, QUOTED_HEADER, SIGNED_NAME, TITLE_WORDS, clean, isPlausiblePhone } from './email-patterns.js';
import type { ParsedEmail } from './parse-email.js';
import { readAsReferral } from './referral.js';
import { modelledFields, readSignature, type SignatureModel } from './signature-model.js';
import shippedModel from './signature-weights.json' with { type: 'json' };

export const EMAIL_FIELDS = ['candidate_name', 'job_title', 'location', 'company_name', 'referrer_name', 'referrer_email', 'phone', 'email', 'website', 'calendly_url', 'industry'] as const;
export type EmailField = (typeof EMAIL_FIELDS)[number];

export interface ExtractedField {
  field_name: EmailField;
  value: string;
  /** Where the value came from, for a person reading the run. */
  source: string;
  /** The part of the email it was read from. */
  origin: 'signature' | 'headers' | 'text';
  /** How likely the value is right (0–1), where it is measured: the signature model's probability. */
  confidence?: number;
}

const CALENDLY = /https?:\/\/(?:www\.)?calendly\.com\/[^\s<>)"']+/i;
const WEBSITE = /\b(?:https?:\/\/|www\.)[^\s<>)"']+/i;
const REFERRER = /\b(?:referred (?:to you )?by|referral from|recommended by)\s+([A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+){0,2})/;
const INDUSTRIES: Array<[RegExp, string]> = [
  [/\b(energy|oil|gas|power|utility|utilities|pipeline)\b/i, 'Energy'],
  [/\b(bank|banking|capital|investment|finance|financial|trading|securities)\b/i, 'Financial Services'],
  [/\b(software|saas|cloud|technology|technologies|tech|it services)\b/i, 'Technology'],
  [/\b(hospital|health|healthcare|medical|clinic|pharma)\b/i, 'Healthcare'],
  [/\b(law|legal|attorneys|counsel)\b/i, 'Legal'],
  [/\b(recruiting|staffing|talent)\b/i, 'Staffing'],
];

/** The rules' tuned numbers, as plain JSON: `unfold eval email --folds` fits them on training mail. */
export type EmailRuleParameters = {
  /** A title or organisation line has at most this many words; a longer one is a sentence. */
  maxRoleLineWords: number;
  /** The learned signature reader (weights trained by `scripts/train-email-model.mjs`); null reads by the rules alone. */
  model: SignatureModel | null;
};
export const DEFAULT_EMAIL_RULES: EmailRuleParameters = { maxRoleLineWords: 8, model: shippedModel as SignatureModel };

/** "Okafor, Chidi" → "Chidi Okafor"; "chidi.okafor@x.com" → "chidi okafor". */
function nameFromHeader(name: string, email: string): string {
  const trimmed = name.replace(/["']/g, '').trim();
  const reversed = /^([A-Za-z'-]+),\s*([A-Za-z'-]+(?:\s[A-Za-z.]+)?)$/.exec(trimmed);
  if (reversed) return `${reversed[2]} ${reversed[1]}`;
  if (trimmed && !trimmed.includes('@')) return trimmed;
  const local = /^([a-z]+)[._]([a-z]+)@/i.exec(email);
  return local ? `${local[1]} ${local[2]}` : '';
}

/**
 * Contact and job fields by rules, no network and no model: signature lines are
 * classified (name, title, organisation, phone, e-mail, web), then headers, the sign-off
 * and the text fill what the signature lacks.
 */
export function extractByRules(email: ParsedEmail, parameters: EmailRuleParameters = DEFAULT_EMAIL_RULES): ExtractedField[] {
  const fields = new Map<EmailField, ExtractedField>();
  const set = (field_name: EmailField, value: string | undefined, source: string, origin: ExtractedField['origin'] = 'signature'): void => {
    const cleaned = value === undefined ? '' : clean(value);
    if (cleaned !== '' && !fields.has(field_name)) fields.set(field_name, { field_name, value: cleaned, source, origin });
  };
  const lines = email.signature
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^[_=*~-]{3,}$/.test(line) && !/^<<.*>>$/.test(line) && !QUOTED_HEADER.test(line));

  let titleLine = -1;
  for (const [index, line] of lines.entries()) {
    // A detected signature opens with its writer's name, even a lone first name.
    const nameShape = SIGNED_NAME;
    // "Tamsin (Marek's assistant)": the name, then a note about it.
    const nameText = line.replace(/\s*\(.*\)\s*$/, '').replace(/\s+x\d[\d-]{2,6}$/i, '').replace(/,$/, '');
    if (index === 0 && nameShape.test(nameText) && !TITLE_WORDS.test(nameText) && !ORGANISATION.test(nameText)) {
      set('candidate_name', nameText.replace(/^-\s*/, ''), email.sign_off ? 'name under the sign-off' : 'first line of the signature');
      const note = /\((.*)\)\s*$/.exec(line)?.[1];
      if (note && TITLE_WORDS.test(note)) set('job_title', note, 'title beside the signed name');
      continue;
    }
    const phone = PHONE.exec(line);
    if (phone && !FAX.test(line) && isPlausiblePhone(phone[1] as string)) set('phone', phone[1], 'phone number in the signature');
    // "Bluefield Analytics, Inc. tel: 415-…": an organisation sharing its line with a number.
    const beforeContact = line.slice(0, Math.min(...[phone?.index, EMAIL.exec(line)?.index].filter((at): at is number => at !== undefined), line.length)).replace(/\b(tel|phone|fax|email|e-mail)\s*[:.]?\s*$/i, '').trim();
    if (beforeContact !== line && ORGANISATION.test(beforeContact)) set('company_name', beforeContact, 'organisation beside the contact details');
    const address = EMAIL.exec(line);
    if (address) set('email', address[0], 'e-mail address in the signature');
    const calendly = CALENDLY.exec(line);
    if (calendly) set('calendly_url', calendly[0], 'Calendly link in the signature');
    const website = WEBSITE.exec(line);
    if (website && !calendly) set('website', website[0], 'web address in the signature');
    if (phone || address || website) continue;
    const location = LOCATION.exec(line);
    if (location && !TITLE_WORDS.test(line)) set('location', `${location[1]}, ${location[2]}`, 'city and state in the signature');
    else if (TITLE_WORDS.test(line) && line.split(/\s+/).length <= parameters.maxRoleLineWords) {
      // "Senior Counsel, EWS": the title, then the organisation it serves.
      // A contact label ends the title: "Director Tel: (713) …".
      const titleText = line.replace(/\s+(tel|phone|fax|cell|mobile|e-?mail)\b.*$/i, '');
      const comma = titleText.lastIndexOf(', ');
      const after = comma > 0 ? titleText.slice(comma + 2) : '';
      const isOrganisation = after !== '' && !TITLE_WORDS.test(after) && (/^[A-Z&]{2,6}$/.test(after) || ORGANISATION.test(after) || /^[A-Z][A-Za-z&.'-]+$/.test(after));
      set('job_title', isOrganisation ? titleText.slice(0, comma) : titleText, 'title line of the signature');
      titleLine = index;
      if (isOrganisation) set('company_name', after, 'organisation after the title');
    }
    else if (ORGANISATION.test(line) && line.split(/\s+/).length <= parameters.maxRoleLineWords) set('company_name', line, 'organisation line of the signature');
    // The line under the title, in capitals and not an address, is where the writer works.
    else if (titleLine === index - 1 && /^[A-Z][\w&.'-]*(\s+[A-Z&][\w&.'-]*){0,5}$/.test(line) && !/\d/.test(line)) {
      set('company_name', line, 'line under the title');
    }
  }

  if (parameters.model) {
    // The rules' readings become features of the model, which has the last word on these fields.
    const picks = Object.fromEntries([...fields.values()].map((field) => [field.field_name, field.value]));
    for (const field of modelledFields(parameters.model)) fields.delete(field);
    for (const reading of readSignature(email, parameters.model, picks)) {
      fields.set(reading.field_name, { field_name: reading.field_name, value: reading.value, source: `signature model, ${reading.reasoning}`, origin: 'signature', confidence: reading.confidence });
    }
  }

  set('candidate_name', nameFromHeader(email.sender_name, email.sender_email), 'sender in the From header', 'headers');
  set('email', email.sender_email, 'sender address in the From header', 'headers');

  const text = `${email.subject}\n${email.body}`;
  set('calendly_url', CALENDLY.exec(text)?.[0], 'Calendly link in the message', 'text');
  set('referrer_name', REFERRER.exec(text)?.[1], 'referral sentence in the message', 'text');
  set('job_title', JOB_IN_TEXT.exec(text)?.[1], 'position named in the message', 'text');
  if (!fields.has('phone')) {
    const prose = email.body
      .split('\n')
      .filter((line) => !QUOTED_HEADER.test(line.trim()))
      .join('\n');
    const phone = PHONE.exec(prose);
    if (phone && !FAX.test(prose.slice(Math.max(0, phone.index - 12), phone.index)) && isPlausiblePhone(phone[1] as string)) set('phone', phone[1], 'phone number in the message', 'text');
  }
  const domain = /@([a-z0-9-]+)\.[a-z.]+$/i.exec(email.sender_email)?.[1];
  if (domain && !/^(gmail|yahoo|hotmail|outlook|aol|icloud|live|msn|me|mail|protonmail)$/i.test(domain)) set('company_name', domain.charAt(0).toUpperCase() + domain.slice(1), "the sender's e-mail domain", 'headers');
  const industryText = `${fields.get('company_name')?.value ?? ''} ${email.signature}`;
  set('industry', INDUSTRIES.find(([pattern]) => pattern.test(industryText))?.[1], 'keywords of the organisation', 'text');
  const read = readAsReferral(email, [...fields.values()]);
  return EMAIL_FIELDS.flatMap((name) => read.filter((field) => field.field_name === name));
}

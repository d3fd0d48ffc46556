import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import type { EmailField, ExtractedField } from './rules-extractor.js';

export interface ValidatedRecord {
  fields: Partial<Record<EmailField, string>>;
  /** What validation changed or refused, one line each, for the run's events. */
  notes: Array<{ rule: string; passed: boolean; message: string }>;
}

const NAME_FIELDS: EmailField[] = ['candidate_name', 'referrer_name'];
const ADDRESS_FIELDS: EmailField[] = ['email', 'referrer_email'];
const emailSchema = z.email();

/** "JANE O'NEIL" and "jane o'neil" → "Jane O'Neil"; names already in mixed case stay as written. */
export function titleCase(value: string): string {
  if (value !== value.toUpperCase() && value !== value.toLowerCase()) return value;
  return value.toLowerCase().replace(/(^|[\s'’-])([a-z])/g, (_match, separator: string, letter: string) => `${separator}${letter.toUpperCase()}`);
}

/**
 * Cleans the extracted fields as the original did: trims, title-cases names, writes the
 * phone in E.164 (libphonenumber-js; numbers without a country code read as `region`),
 * drops an address that is not an e-mail address, and prefers the company that research
 * found over the guess.
 */
export function validateFields(extracted: readonly ExtractedField[], options: { region?: CountryCode; researchedCompany?: string } = {}): ValidatedRecord {
  const fields: ValidatedRecord['fields'] = {};
  const notes: ValidatedRecord['notes'] = [];
  for (const field of extracted) fields[field.field_name] = field.value.trim();

  for (const name of NAME_FIELDS) {
    const value = fields[name];
    if (value !== undefined) fields[name] = titleCase(value);
  }
  if (fields.phone !== undefined) {
    const phone = parsePhoneNumberFromString(fields.phone, options.region ?? 'US');
    if (phone?.isValid()) {
      notes.push({ rule: 'phone_e164', passed: true, message: `${fields.phone} → ${phone.number}` });
      fields.phone = phone.number;
    } else {
      notes.push({ rule: 'phone_e164', passed: false, message: `${fields.phone} is not a valid phone number; dropped` });
      delete fields.phone;
    }
  }
  for (const name of ADDRESS_FIELDS) {
    const value = fields[name];
    if (value === undefined) continue;
    const valid = emailSchema.safeParse(value).success;
    notes.push({ rule: 'email_syntax', passed: valid, message: valid ? value : `${value} is not an e-mail address; dropped` });
    if (!valid) delete fields[name];
  }
  if (options.researchedCompany && options.researchedCompany !== fields.company_name) {
    notes.push({ rule: 'company_from_research', passed: true, message: `${fields.company_name ?? 'no guess'} → ${options.researchedCompany}` });
    fields.company_name = options.researchedCompany;
  }
  return { fields, notes };
}

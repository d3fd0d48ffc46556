import { describe, expect, it } from 'vitest';
import type { ParsedEmail } from './parse-email.js';
import { DEFAULT_EMAIL_RULES, extractByRules } from './rules-extractor.js';

/** An email with only a signature block, so every field read comes from the signature. The rules alone, without the model they feed. */
const signed = (signature: string): ParsedEmail => ({ sender_name: '', sender_email: '', subject: '', body: `See below.\n\n${signature}`, quoted: '', signature, sign_off: '', attachments: [] });
const fieldsOf = (signature: string) => Object.fromEntries(extractByRules(signed(signature), { ...DEFAULT_EMAIL_RULES, model: null }).map((field) => [field.field_name, field.value]));

describe('extractByRules on a signature', () => {
  it('reads a name followed by a note about it, and the title the note names', () => {
    expect(fieldsOf('Tamsin (Marek’s assistant)\n(415) 555-0134')).toMatchObject({ candidate_name: 'Tamsin', job_title: 'Marek’s assistant', phone: '(415) 555-0134' });
  });

  it('reads an organisation that shares its line with a phone number', () => {
    expect(fieldsOf('Priya Ridgeway\nBluefield Analytics, Inc. tel: 415-555-0134')).toMatchObject({ candidate_name: 'Priya Ridgeway', company_name: 'Bluefield Analytics, Inc.', phone: '415-555-0134' });
  });

  it('takes no address from the header lines of a quoted message', () => {
    const fields = fieldsOf(['Priya Ridgeway', 'Message-ID: <20011105172233.GA4471@relay.bluefield.example>', 'In-Reply-To: <5C2E91AA.7E10B3F4@mail.bluefield.example>', 'X-Mailer: Mozilla 4.7 [en] (WinNT; I)'].join('\n'));
    expect(fields).toEqual({ candidate_name: 'Priya Ridgeway' });
  });

  it('still reads the address on a signature line', () => {
    expect(fieldsOf('Priya Ridgeway\npriya.ridgeway@bluefield.example\nMessage-ID: <20011105172233.GA4471@relay.bluefield.example>')).toMatchObject({ email: 'priya.ridgeway@bluefield.example' });
  });
});

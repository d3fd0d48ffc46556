import { describe, expect, it } from 'vitest';
import { findSignature, type ParsedEmail } from './parse-email.js';
import { candidatesOf } from './signature-candidates.js';

/** A made-up message, parsed as the pipeline parses one. */
const message = (body: string): ParsedEmail => ({ sender_name: '', sender_email: '', subject: '', body, quoted: '', ...findSignature(body), attachments: [] });

const EMAIL = message(['Can we move the review to Thursday?', '', 'Thanks,', 'Rowan Achebe', 'Senior Geologist', 'Tidewater Minerals, Inc. tel: (512) 555-0187', 'Fax: (512) 555-0188', 'rowan.achebe@tidewater.example'].join('\n'));

describe('signature candidates', () => {
  it('offers each line and the parts of it, with the place of the line as features', () => {
    const name = candidatesOf(EMAIL).find((candidate) => candidate.kind === 'line' && candidate.text === 'Rowan Achebe');
    expect(name?.features).toEqual(expect.arrayContaining(['segment=whole', 'name_shape', 'title_case', 'after_sign_off=1', 'in_signature', 'prev:sign_off', 'next:title_word']));
    const organisation = candidatesOf(EMAIL).find((candidate) => candidate.text === 'Tidewater Minerals, Inc.');
    expect(organisation?.features).toEqual(expect.arrayContaining(['segment=before_contact', 'org_word']));
  });

  it('reads phone numbers with the label before them and whether libphonenumber-js finds them valid', () => {
    const phones = candidatesOf(EMAIL).filter((candidate) => candidate.kind === 'phone');
    expect(phones.map((phone) => phone.text)).toEqual(['(512) 555-0187', '(512) 555-0188']);
    expect(phones[0]?.features).toEqual(expect.arrayContaining(['label=tel', 'valid', 'rank=0']));
    expect(phones[1]?.features).toEqual(expect.arrayContaining(['label=fax', 'fax_on_line', 'rank=1']));
  });

  it('marks what the rules read, so the model can learn when to trust them', () => {
    const email = candidatesOf(EMAIL, { email: 'rowan.achebe@tidewater.example' }).find((candidate) => candidate.kind === 'email');
    expect(email?.features).toEqual(expect.arrayContaining(['rules:email', 'alone_on_line', 'from_end=0']));
  });

  it('marks an address made of a name signed in the message, and the name an address is made of', () => {
    const candidates = candidatesOf(EMAIL);
    expect(candidates.find((candidate) => candidate.kind === 'email')?.features).toContain('names_a_line');
    expect(candidates.find((candidate) => candidate.text === 'Rowan Achebe')?.features).toContain('named_in_address');
    expect(candidates.find((candidate) => candidate.text === 'Senior Geologist')?.features).not.toContain('named_in_address');
  });

  it('offers a name signed at the end of a sentence, without its full stop', () => {
    const texts = candidatesOf(message('Sorry, I will miss the call.  Thanks, Bo.')).map((candidate) => candidate.text);
    expect(texts).toContain('Bo');
  });

  it('offers nothing from quoted header lines or from digits inside a longer number', () => {
    const candidates = candidatesOf(message(['See you then.', 'Rowan', 'Message-ID: <20011105172233.GA4471@relay.tidewater.example>'].join('\n')));
    expect(candidates.some((candidate) => candidate.kind === 'phone' || candidate.kind === 'email')).toBe(false);
  });
});

import { runInMemory } from '@unfold/engine';
import { UnfoldError } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { emailPipeline } from './email-pipeline.js';
import { findSignature, parseEmail, splitQuoted } from './parse-email.js';
import { extractByRules } from './rules-extractor.js';
import { titleCase, validateFields } from './validate-fields.js';

/** An email written for the tests: HTML body, a signature, a quoted reply. */
const RAW = [
  'From: "Dana Whitfield" <dana.whitfield@northwind-energy.com>',
  'To: recruiter@example.org',
  'Subject: Senior Data Engineer role',
  'MIME-Version: 1.0',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Hi Sam,</p><p>I was referred by Maria Lopez and would like to talk about the Senior Data Engineer position.',
  'You can book me at https://calendly.com/dana-w/30min.</p>',
  '<p>Best regards,<br>Dana Whitfield<br>Lead Data Engineer<br>Northwind Energy Inc.<br>Houston, TX 77002<br>Direct: (713) 555-0142<br>Fax: 713-555-0199<br>www.northwind-energy.com</p>',
  '<p>On Mon, Jan 6, 2025 at 9:00 AM Sam Jones wrote:</p><blockquote>&gt; Thanks,<br>&gt; Sam Jones<br>&gt; 212-555-0100</blockquote>',
].join('\r\n');

describe('parse', () => {
  it('turns HTML into text and sets the quoted reply and the signature apart', async () => {
    const email = await parseEmail({ raw: RAW });
    expect(email).toMatchObject({ sender_name: 'Dana Whitfield', sender_email: 'dana.whitfield@northwind-energy.com', subject: 'Senior Data Engineer role', sign_off: 'Best regards,' });
    expect(email.body).not.toContain('Sam Jones wrote');
    expect(email.quoted).toContain('212-555-0100');
    expect(email.signature.split('\n')[0]).toBe('Dana Whitfield');
  });

  it('finds a signature after the "-- " delimiter and a quote after an Original Message line', () => {
    expect(findSignature('Hello\n-- \nJo Park\nAnalyst').signature).toBe('Jo Park\nAnalyst');
    expect(splitQuoted('See below.\n-----Original Message-----\nFrom: x').quoted).toMatch(/^-----Original Message/);
  });
});

describe('extract (rules)', () => {
  it('reads name, title, company, location, phone, web, Calendly, referrer and job from the email', async () => {
    const fields = Object.fromEntries(extractByRules(await parseEmail({ raw: RAW })).map((field) => [field.field_name, field.value]));
    expect(fields).toEqual({
      candidate_name: 'Dana Whitfield',
      job_title: 'Lead Data Engineer',
      location: 'Houston, TX',
      company_name: 'Northwind Energy Inc.',
      referrer_name: 'Maria Lopez',
      phone: '(713) 555-0142',
      email: 'dana.whitfield@northwind-energy.com',
      website: 'www.northwind-energy.com',
      calendly_url: 'https://calendly.com/dana-w/30min',
      industry: 'Energy',
    });
  });

  it('falls back to the From header when there is no signature', async () => {
    const fields = extractByRules(await parseEmail({ sender_name: 'Okafor, Chidi', sender_email: 'chidi.okafor@gmail.com', subject: 'hello', body: 'See you tomorrow.', attachments: [] }));
    expect(fields.find((field) => field.field_name === 'candidate_name')).toMatchObject({ value: 'Chidi Okafor', source: 'sender in the From header' });
    expect(fields.some((field) => field.field_name === 'company_name')).toBe(false);
  });
});

describe('validate', () => {
  it('writes phones in E.164, title-cases shouted names and drops what is not valid', () => {
    const record = validateFields([
      { field_name: 'candidate_name', value: ' JANE O’NEIL ', source: 'test', origin: 'signature' },
      { field_name: 'phone', value: '(713) 555-0142', source: 'test', origin: 'signature' },
      { field_name: 'email', value: 'not-an-address', source: 'test', origin: 'headers' },
      { field_name: 'referrer_name', value: 'sam ortiz', source: 'test', origin: 'headers' },
      { field_name: 'referrer_email', value: 'sam@ortiz-search.test', source: 'test', origin: 'headers' },
    ]);
    expect(record.fields).toEqual({ candidate_name: 'Jane O’Neil', phone: '+17135550142', referrer_name: 'Sam Ortiz', referrer_email: 'sam@ortiz-search.test' });
    expect(record.notes.map((note) => `${note.rule}:${note.passed}`)).toEqual(['phone_e164:true', 'email_syntax:false', 'email_syntax:true']);
    expect(validateFields([{ field_name: 'referrer_email', value: 'sam at ortiz', source: 'test', origin: 'headers' }]).fields).toEqual({});
    expect(titleCase('McDonald')).toBe('McDonald');
  });
});

describe('email pipeline', () => {
  it('streams each field as an extraction_field event and ends with the validated record', async () => {
    const { store, outcome } = await runInMemory(emailPipeline, { raw: RAW }, { runId: 'e' });
    const events = await store.events.read('e', 0, 500);
    expect(events.filter((event) => event.event_type === 'extraction_field').map((event) => (event as { field_name: string }).field_name)).toContain('phone');
    // A field the signature model read carries its probability and the features that fired.
    const name = events.find((event) => event.event_type === 'extraction_field' && event.field_name === 'candidate_name');
    expect(name).toMatchObject({ value: 'Dana Whitfield', confidence: expect.any(Number), reasoning: expect.stringMatching(/^signature model, p \d\.\d\d: /) });
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_completed', result: { extracted: { candidate_name: 'Dana Whitfield', phone: '+17135550142' } } });
  });

  it('refuses bad input up front and fails an email with no text', async () => {
    const code = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return UnfoldError.isInstance(error) ? error.code : 'other';
      }
      return undefined;
    };
    expect(code(() => emailPipeline.parseInput({ body: 42 }))).toBe('invalid_input');
    const huge = 'A'.repeat(Math.ceil((30 * 1024 * 1024 * 4) / 3));
    expect(code(() => emailPipeline.parseInput({ body: 'hi', attachments: [{ filename: 'big.pdf', content_base64: huge }] }))).toBe('email_too_large');
    const { outcome } = await runInMemory(emailPipeline, { body: ' \n\uFFFD\uFFFD ', subject: '' });
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_failed', code: 'no_text_found', tool_name: 'parse' });
  });
});

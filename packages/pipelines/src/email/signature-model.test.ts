import { describe, expect, it } from 'vitest';
import { findSignature, type ParsedEmail } from './parse-email.js';
import { DEFAULT_EMAIL_RULES, extractByRules } from './rules-extractor.js';
import { modelledFields, readSignature, type SignatureModel } from './signature-model.js';

const message = (body: string): ParsedEmail => ({ sender_name: '', sender_email: '', subject: '', body, quoted: '', ...findSignature(body), attachments: [] });
const shipped = DEFAULT_EMAIL_RULES.model as SignatureModel;

/** Made-up messages the model never saw. */
const BLOCK = message(['Attached are the revised figures for the third quarter.', '', 'Best regards,', 'Imogen Castellanos', 'Project Controls Manager', 'Harbourline Logistics LLC', 'Office: 617-555-0143', 'Fax: 617-555-0144', 'imogen.castellanos@harbourline.example'].join('\n'));

describe('the shipped signature model', () => {
  it('reads name, title, organisation, phone and e-mail from a signature block it never saw, with the rules where it leaves a field to them', () => {
    const readings = Object.fromEntries(extractByRules(BLOCK, DEFAULT_EMAIL_RULES).filter((field) => field.origin === 'signature').map((field) => [field.field_name, field.value]));
    expect(readings).toEqual({
      candidate_name: 'Imogen Castellanos',
      job_title: 'Project Controls Manager',
      company_name: 'Harbourline Logistics LLC',
      phone: '617-555-0143',
      email: 'imogen.castellanos@harbourline.example',
    });
  });

  it('reads a first name signed under a sign-off, and nothing else from a short note', () => {
    const readings = readSignature(message('Works for me, see you at noon.\n\nThanks,\nPell'), shipped);
    expect(readings.map((reading) => [reading.field_name, reading.value])).toEqual([['candidate_name', 'Pell']]);
  });

  it('gives each value a probability and the features that weighed most', () => {
    for (const reading of readSignature(BLOCK, shipped)) {
      expect(reading.confidence).toBeGreaterThanOrEqual(0.5);
      expect(reading.confidence).toBeLessThanOrEqual(1);
      expect(reading.reasoning).toMatch(/^p \d\.\d\d: [\w:=&.-]+ [+-]\d/);
    }
  });

  it('reads only the fields it decides; a field whose threshold is null is the rules\' alone', () => {
    expect(readSignature(BLOCK, shipped).map((reading) => reading.field_name)).toEqual(modelledFields(shipped));
    const off = Object.fromEntries(Object.entries(shipped).map(([field, { weights }]) => [field, { weights, threshold: null }])) as SignatureModel;
    expect(readSignature(BLOCK, off)).toEqual([]);
    expect(extractByRules(BLOCK, { ...DEFAULT_EMAIL_RULES, model: off })).toEqual(extractByRules(BLOCK, { ...DEFAULT_EMAIL_RULES, model: null }));
  });

  it('gives no field the span the rules read for a field it leaves to them', () => {
    const lenient = Object.fromEntries(Object.entries(shipped).map(([field, { weights }]) => [field, { weights, threshold: field === 'job_title' ? null : 0 }])) as SignatureModel;
    // No organisation line: the title line is the organisation's likeliest span.
    const note = message('Can we meet at 3?\n\nThanks,\nRowan Teague\nLead Surveyor\n(617) 555-0188');
    expect(readSignature(note, lenient).map((reading) => reading.value)).toContain('Lead Surveyor');
    expect(readSignature(note, lenient, { job_title: 'Lead Surveyor' }).map((reading) => reading.value)).not.toContain('Lead Surveyor');
  });

  it('takes nothing its threshold refuses, and never gives one span to two fields', () => {
    const refusing = Object.fromEntries(Object.entries(shipped).map(([field, { weights }]) => [field, { weights, threshold: 1.01 }])) as SignatureModel;
    expect(readSignature(BLOCK, refusing)).toEqual([]);
    const lenient = Object.fromEntries(Object.entries(shipped).map(([field, { weights }]) => [field, { weights, threshold: 0 }])) as SignatureModel;
    const values = readSignature(BLOCK, lenient).map((reading) => reading.value);
    expect(new Set(values).size).toBe(values.length);
  });
});

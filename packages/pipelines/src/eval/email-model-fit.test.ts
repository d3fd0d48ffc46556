import { describe, expect, it } from 'vitest';
import { findSignature, type ParsedEmail } from '../email/parse-email.js';
import { DEFAULT_EMAIL_RULES } from '../email/rules-extractor.js';
import { readSignature } from '../email/signature-model.js';
import { labelledChoices, trainSignatureModel } from './email-model-fit.js';
import type { Denotation, EnronDocument } from './enron-documents.js';

const message = (body: string): ParsedEmail => ({ sender_name: '', sender_email: '', subject: '', body, quoted: '', ...findSignature(body), attachments: [] });
const label = (body: string, type: string, text: string): Denotation => ({ type, text, start: body.indexOf(text), end: body.indexOf(text) + text.length });
const rules = { ...DEFAULT_EMAIL_RULES, model: null };

/** Made-up annotated emails: a note, a sign-off, a name and a phone under it, both labelled. */
const FIRST = ['Ada', 'Bram', 'Cleo', 'Dov', 'Esme', 'Finn', 'Gus', 'Hana', 'Ivo', 'Juno'];
const LAST = ['Marsh', 'Okoro', 'Pell', 'Quist', 'Rhee'];
const documents: EnronDocument[] = FIRST.flatMap((first, at) =>
  LAST.map((last, other) => {
    const name = `${first} ${last}`;
    const phone = `(2${at}${other}) 555-01${at}${other}`;
    const body = [`Please look over the draft before ${other + 1} pm.`, 'The numbers on page two are still open.', '', 'Thanks,', name, phone].join('\n');
    return { id: `${at}-${other}`, messages: [message(body)], denotations: [label(body, 'Body/Signature/Name', name), label(body, 'Body/Signature/Phone', phone)] };
  }),
);

describe('training the signature model', () => {
  it('labels a candidate right when it equals an annotated value, one choice a message', () => {
    const choices = labelledChoices(documents.slice(0, 1), rules);
    expect(choices.candidate_name).toHaveLength(1);
    const right = choices.candidate_name[0]?.right.filter(Boolean).length;
    expect(right).toBeGreaterThanOrEqual(1);
    expect(choices.phone[0]?.right).toEqual([true]);
    expect(choices.email).toEqual([]);
  });

  it('leaves out a message whose only candidates sit in a block annotated without its fields', () => {
    const body = 'See you there.\n\nBest,\nTova';
    const unlabelled: EnronDocument = { id: 'u', messages: [message(body)], denotations: [label(body, 'Body/Outro', 'Best,\nTova')] };
    expect(labelledChoices([unlabelled], rules).candidate_name).toEqual([]);
  });

  it('learns from the training emails to read a name and phone it never saw', () => {
    const model = trainSignatureModel(documents, rules);
    // Each field's threshold is one of those tried by cross-validation inside the training emails.
    for (const { threshold } of Object.values(model)) expect([0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7]).toContain(threshold);
    const readings = readSignature(message('Can you send the final copy today?\n\nThanks,\nWren Abara\n(415) 555-0199'), model);
    expect(readings.map((reading) => [reading.field_name, reading.value])).toEqual([
      ['candidate_name', 'Wren Abara'],
      ['phone', '(415) 555-0199'],
    ]);
  });
});

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findSignature, parseEmail, threadMessages, type ParsedEmail } from '../email/parse-email.js';
import { extractByRules, type EmailField, type EmailRuleParameters } from '../email/rules-extractor.js';
import type { ConfidenceSample } from '../calibration/confidence-calibration.js';
import { emptyTallies, type FieldTallies } from './field-tally.js';

export const ENRON_FIELDS = ['name', 'position', 'organisation', 'phone', 'email'] as const;
export type EnronField = (typeof ENRON_FIELDS)[number];

/** The annotation types each field is scored against; a person's name is the one they sign with, in a signature block or under a sign-off. */
const ANNOTATION: Record<EnronField, string[]> = {
  name: ['Body/Signature/Name', 'Body/Outro/Name'],
  position: ['Body/Signature/Position'],
  organisation: ['Body/Signature/Organisation'],
  phone: ['Body/Signature/Phone'],
  email: ['Body/Signature/Mail'],
};
export interface Denotation {
  type: string;
  text: string;
  start: number;
  end: number;
}

/**
 * The signature and sign-off blocks the annotators marked without labelling any field
 * inside them (a fifth of the signature blocks, many sign-offs): what is read from such
 * a block can be neither right nor wrong, so it is left out of the score.
 */
export function unlabelledBlocks(denotations: readonly Denotation[]): string[] {
  return denotations
    .filter((block) => block.type === 'Body/Signature' || block.type === 'Body/Outro')
    .filter((block) => !denotations.some((field) => field.type.startsWith(`${block.type}/`) && field.start >= block.start && field.end <= block.end))
    .map((block) => block.text);
}
export const PREDICTION: Record<EnronField, EmailField> = { name: 'candidate_name', position: 'job_title', organisation: 'company_name', phone: 'phone', email: 'email' };

const text = (value: string) => value.toLowerCase().replace(/[^a-z0-9@.&]+/g, ' ').trim();
/** A phone as its last ten digits, extension left off. */
const digits = (value: string) => value.replace(/\s*(x|ext\.?)\s*\d+\s*$/i, '').replace(/\D/g, '').slice(-10);
export const same = (field: EnronField) => (a: string, b: string) => (field === 'phone' ? digits(a) === digits(b) && digits(a).length >= 7 : text(a) === text(b));

/** The distinct values annotated for a field in an email. */
export const truthsOf = (document: EnronDocument, field: EnronField) => [...new Set(document.denotations.filter((denotation) => ANNOTATION[field].includes(denotation.type)).map((denotation) => denotation.text.trim()))];

/** An annotated email, read once: the messages of its thread as the rules see them, and its labels. */
export interface EnronDocument {
  id: string;
  messages: ParsedEmail[];
  denotations: Denotation[];
}

/** The annotated emails of a folder (`<name>.txt` with `<name>.txt.ann`); an email without an annotation is skipped. */
export async function loadEnron(dataDir: string): Promise<EnronDocument[]> {
  const files = (await readdir(dataDir)).filter((name) => name.endsWith('.txt')).sort();
  const documents: EnronDocument[] = [];
  for (const file of files) {
    let annotation: { denotations: Denotation[] };
    try {
      annotation = JSON.parse(await readFile(join(dataDir, `${file}.ann`), 'utf8')) as typeof annotation;
    } catch {
      continue;
    }
    documents.push({ id: file, messages: await threadOf(await readFile(join(dataDir, file), 'utf8')), denotations: annotation.denotations });
  }
  return documents;
}

/**
 * The annotations label every signature of a thread, so each message of the thread (the
 * new text and each quoted or forwarded one) is read on its own, without the headers the
 * rules would otherwise fall back to.
 */
async function threadOf(raw: string): Promise<ParsedEmail[]> {
  try {
    const email = await parseEmail({ raw });
    return threadMessages(`${email.body}\n${email.quoted}`).map((message) => ({ ...email, body: message, quoted: '', ...findSignature(message), sender_name: '', sender_email: '' }));
  } catch {
    return []; // an email the parser refuses predicts nothing
  }
}

/**
 * Counts what the rules, with these parameters, read from the emails' signatures: not
 * their fall-backs to the From header or the running text, nor what they read from a
 * block annotated without its fields (unless `strict`). Values are compared as sets per
 * email: each distinct prediction is right or wrong, each distinct annotated value found
 * or missed. Each prediction counted, with the confidence it was read with, goes to `samples`.
 */
export function tallyEnron(documents: readonly EnronDocument[], parameters: EmailRuleParameters, options: { strict?: boolean; samples?: ConfidenceSample[] } = {}): FieldTallies<EnronField> {
  const tallies = emptyTallies(ENRON_FIELDS);
  for (const document of documents) {
    // Each distinct value read, with the highest confidence it was read with.
    const predicted = new Map<EnronField, Map<string, number | undefined>>(ENRON_FIELDS.map((field) => [field, new Map()]));
    for (const message of document.messages) {
      const fields = extractByRules(message, parameters);
      for (const field of ENRON_FIELDS) {
        const found = fields.find((candidate) => candidate.field_name === PREDICTION[field] && candidate.origin === 'signature');
        const values = predicted.get(field);
        if (!found || !values) continue;
        const before = values.get(found.value);
        values.set(found.value, found.confidence === undefined ? before : Math.max(before ?? 0, found.confidence));
      }
    }
    const unlabelled = options.strict ? [] : unlabelledBlocks(document.denotations);
    for (const field of ENRON_FIELDS) {
      const truths = truthsOf(document, field);
      const equal = same(field);
      const guesses = [...(predicted.get(field) ?? [])].filter(([guess]) => truths.some((truth) => equal(guess, truth)) || !unlabelled.some((block) => block.includes(guess)));
      const tally = tallies[field];
      for (const [guess, confidence] of guesses) {
        const correct = truths.some((truth) => equal(guess, truth));
        if (correct) tally.tp++;
        else tally.fp++;
        if (confidence !== undefined) options.samples?.push({ field, confidence, correct });
      }
      tally.fn += truths.filter((truth) => !guesses.some(([guess]) => equal(guess, truth))).length;
    }
  }
  return tallies;
}

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findSignature, parseEmail, threadMessages } from '../email/parse-email.js';
import { extractByRules, type EmailField } from '../email/rules-extractor.js';
import { emptyTally, score, sum, type FieldScore, type Tally } from './field-tally.js';

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
interface Denotation {
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
function unlabelledBlocks(denotations: readonly Denotation[]): string[] {
  return denotations
    .filter((block) => block.type === 'Body/Signature' || block.type === 'Body/Outro')
    .filter((block) => !denotations.some((field) => field.type.startsWith(`${block.type}/`) && field.start >= block.start && field.end <= block.end))
    .map((block) => block.text);
}
const PREDICTION: Record<EnronField, EmailField> = { name: 'candidate_name', position: 'job_title', organisation: 'company_name', phone: 'phone', email: 'email' };

export interface EnronReport {
  emails: number;
  fields: Record<EnronField | 'overall', FieldScore>;
}

const text = (value: string) => value.toLowerCase().replace(/[^a-z0-9@.&]+/g, ' ').trim();
/** A phone as its last ten digits, extension left off. */
const digits = (value: string) => value.replace(/\s*(x|ext\.?)\s*\d+\s*$/i, '').replace(/\D/g, '').slice(-10);
const same = (field: EnronField) => (a: string, b: string) => (field === 'phone' ? digits(a) === digits(b) && digits(a).length >= 7 : text(a) === text(b));

/**
 * Scores the rules extractor on the annotated Enron emails. The annotations label every
 * signature of a thread, so the extractor reads each message of the thread (the new
 * text and each quoted or forwarded one), and only what it read from signatures is
 * scored, not its fall-backs to the From header or the running text, nor what it read
 * from a block annotated without its fields (unless `strict`). Values are compared as sets per email:
 * each distinct prediction is right or wrong, each distinct annotated value found or
 * missed.
 */
export async function evaluateEnron(dataDir: string, options: { strict?: boolean } = {}): Promise<EnronReport> {
  const files = (await readdir(dataDir)).filter((name) => name.endsWith('.txt')).sort();
  const tallies = Object.fromEntries(ENRON_FIELDS.map((field) => [field, emptyTally()])) as Record<EnronField, Tally>;
  let emails = 0;
  for (const file of files) {
    let annotation: { denotations: Denotation[] };
    try {
      annotation = JSON.parse(await readFile(join(dataDir, `${file}.ann`), 'utf8')) as typeof annotation;
    } catch {
      continue;
    }
    emails++;
    const predicted = new Map<EnronField, Set<string>>(ENRON_FIELDS.map((field) => [field, new Set<string>()]));
    try {
      const email = await parseEmail({ raw: await readFile(join(dataDir, file), 'utf8') });
      for (const message of threadMessages(`${email.body}\n${email.quoted}`)) {
        const fields = extractByRules({ ...email, body: message, quoted: '', ...findSignature(message), sender_name: '', sender_email: '' });
        for (const field of ENRON_FIELDS) {
          const found = fields.find((candidate) => candidate.field_name === PREDICTION[field] && candidate.origin === 'signature');
          if (found) predicted.get(field)?.add(found.value);
        }
      }
    } catch {
      // an email the parser refuses predicts nothing
    }
    const unlabelled = options.strict ? [] : unlabelledBlocks(annotation.denotations);
    for (const field of ENRON_FIELDS) {
      const truths = [...new Set(annotation.denotations.filter((denotation) => ANNOTATION[field].includes(denotation.type)).map((denotation) => denotation.text.trim()))];
      const equal = same(field);
      const guesses = [...(predicted.get(field) ?? [])].filter((guess) => truths.some((truth) => equal(guess, truth)) || !unlabelled.some((block) => block.includes(guess)));
      const tally = tallies[field];
      for (const guess of guesses) {
        if (truths.some((truth) => equal(guess, truth))) tally.tp++;
        else tally.fp++;
      }
      tally.fn += truths.filter((truth) => !guesses.some((guess) => equal(guess, truth))).length;
    }
  }
  return {
    emails,
    fields: { ...Object.fromEntries(ENRON_FIELDS.map((field) => [field, score(tallies[field])])), overall: score(sum(ENRON_FIELDS.map((field) => tallies[field]))) } as EnronReport['fields'],
  };
}

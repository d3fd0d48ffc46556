import { DEFAULT_EMAIL_RULES, type EmailRuleParameters } from '../email/rules-extractor.js';
import { crossValidate } from './cross-validate.js';
import { emailRules } from './email-rules-fit.js';
import { ENRON_FIELDS, loadEnron, tallyEnron, type EnronField } from './enron-documents.js';
import { poolTallies, scoreFields, type FieldScore } from './field-tally.js';
import { DEFAULT_FOLD_SEED } from './folds.js';

export { ENRON_FIELDS, type EnronField } from './enron-documents.js';

export interface EnronReport {
  emails: number;
  fields: Record<EnronField | 'overall', FieldScore>;
}

export interface EnronFoldedReport {
  emails: number;
  folds: number;
  seed: number;
  /** What was fitted on each fold's training folds, in fold order. */
  parameters: EmailRuleParameters[];
  /** Each email scored by rules fitted without it, pooled over the folds. */
  held_out: Record<EnronField | 'overall', FieldScore>;
  /** Each fold's training emails scored by the rules fitted on them, pooled over the folds. */
  training: Record<EnronField | 'overall', FieldScore>;
}

/** Scores the rules extractor, as it ships, on the annotated Enron emails (see `tallyEnron`). */
export async function evaluateEnron(dataDir: string, options: { strict?: boolean } = {}): Promise<EnronReport> {
  const documents = await loadEnron(dataDir);
  return { emails: documents.length, fields: scoreFields(ENRON_FIELDS, tallyEnron(documents, DEFAULT_EMAIL_RULES, options)) };
}

/** Scores the email rules by k-fold cross-validation: fitted on k−1 folds, scored on the one held back. */
export async function crossValidateEnron(dataDir: string, options: { strict?: boolean; folds: number; seed?: number | undefined }): Promise<EnronFoldedReport> {
  const documents = await loadEnron(dataDir);
  const seed = options.seed ?? DEFAULT_FOLD_SEED;
  const outcomes = await crossValidate({
    documents,
    id: (document) => document.id,
    folds: options.folds,
    seed,
    extractor: emailRules(options),
    tally: async (parameters, part) => tallyEnron(part, parameters, options),
  });
  return {
    emails: documents.length,
    folds: options.folds,
    seed,
    parameters: outcomes.map((outcome) => outcome.parameters),
    held_out: scoreFields(ENRON_FIELDS, poolTallies(ENRON_FIELDS, outcomes.map((outcome) => outcome.held_out))),
    training: scoreFields(ENRON_FIELDS, poolTallies(ENRON_FIELDS, outcomes.map((outcome) => outcome.training))),
  };
}

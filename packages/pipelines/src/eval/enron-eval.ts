import { DEFAULT_EMAIL_RULES, type EmailRuleParameters } from '../email/rules-extractor.js';
import type { SignatureModel } from '../email/signature-model.js';
import { crossValidate, type CrossValidated } from './cross-validate.js';
import { emailRules } from './email-rules-fit.js';
import { ENRON_FIELDS, loadEnron, tallyEnron, type EnronField } from './enron-documents.js';
import { poolTallies, scoreFields, type FieldScore } from './field-tally.js';

export { ENRON_FIELDS, type EnronField } from './enron-documents.js';

export interface EnronReport {
  emails: number;
  fields: Record<EnronField | 'overall', FieldScore>;
}

/** Held-back and training figures, each pooled over the folds. */
export interface EnronFoldedReport extends CrossValidated<EmailRuleParameters, Record<EnronField | 'overall', FieldScore>> {
  emails: number;
}

/** Scores the rules extractor, as it ships, on the annotated Enron emails (see `tallyEnron`). */
export async function evaluateEnron(dataDir: string, options: { strict?: boolean } = {}): Promise<EnronReport> {
  const documents = await loadEnron(dataDir);
  return { emails: documents.length, fields: scoreFields(ENRON_FIELDS, tallyEnron(documents, DEFAULT_EMAIL_RULES, options)) };
}

/**
 * The signature model fitted on every annotated email of a folder, as
 * `scripts/train-email-model.mjs` ships it (the evaluation's folds fit their own).
 */
export async function trainEnronModel(dataDir: string): Promise<SignatureModel> {
  const fitted = await emailRules().fit(await loadEnron(dataDir));
  return fitted.model as SignatureModel;
}

/** Scores the email rules by k-fold cross-validation: fitted on k−1 folds, scored on the one held back. */
export async function crossValidateEnron(dataDir: string, options: { strict?: boolean; folds: number; seed?: number | undefined }): Promise<EnronFoldedReport> {
  const documents = await loadEnron(dataDir);
  const { held_out, training, ...folds } = await crossValidate({
    documents,
    folds: options.folds,
    seed: options.seed,
    extractor: emailRules(options),
    tally: async (parameters, part) => tallyEnron(part, parameters, options),
    pool: (tallies) => poolTallies(ENRON_FIELDS, tallies),
  });
  return { emails: documents.length, ...folds, held_out: scoreFields(ENRON_FIELDS, held_out), training: scoreFields(ENRON_FIELDS, training) };
}

import { DEFAULT_EMAIL_RULES, type EmailRuleParameters } from '../email/rules-extractor.js';
import type { SignatureModel } from '../email/signature-model.js';
import { crossValidate, type CrossValidated } from './cross-validate.js';
import { emailRules } from './email-rules-fit.js';
import type { ConfidenceSample } from '../calibration/confidence-calibration.js';
import { ENRON_FIELDS, loadEnron, tallyEnron, type EnronDocument, type EnronField } from './enron-documents.js';
import { poolTallies, scoreFields, type FieldScore, type FieldTallies } from './field-tally.js';
import { reliabilityOf, type Reliability } from './reliability.js';

export { ENRON_FIELDS, type EnronField } from './enron-documents.js';

type EnronScores = Record<EnronField | 'overall', FieldScore>;

export interface EnronReport {
  emails: number;
  fields: EnronScores;
  /** How often a field read with a confidence was right, at each confidence. */
  reliability: Reliability;
}

/** Held-back and training figures, each pooled over the folds. */
export interface EnronFoldedReport extends CrossValidated<EmailRuleParameters, { fields: EnronScores; reliability: Reliability }> {
  emails: number;
}

interface EnronTallies {
  fields: FieldTallies<EnronField>;
  samples: ConfidenceSample[];
}

function tallyWithSamples(documents: readonly EnronDocument[], parameters: EmailRuleParameters, options: { strict?: boolean }): EnronTallies {
  const samples: ConfidenceSample[] = [];
  return { fields: tallyEnron(documents, parameters, { ...options, samples }), samples };
}

const scoreEnron = ({ fields, samples }: EnronTallies) => ({ fields: scoreFields(ENRON_FIELDS, fields), reliability: reliabilityOf(samples) });

/** Scores the rules extractor, as it ships, on the annotated Enron emails (see `tallyEnron`). */
export async function evaluateEnron(dataDir: string, options: { strict?: boolean } = {}): Promise<EnronReport> {
  const documents = await loadEnron(dataDir);
  return { emails: documents.length, ...scoreEnron(tallyWithSamples(documents, DEFAULT_EMAIL_RULES, options)) };
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
    tally: async (parameters, part) => tallyWithSamples(part, parameters, options),
    pool: (tallies): EnronTallies => ({ fields: poolTallies(ENRON_FIELDS, tallies.map((tally) => tally.fields)), samples: tallies.flatMap((tally) => tally.samples) }),
  });
  return { emails: documents.length, ...folds, held_out: scoreEnron(held_out), training: scoreEnron(training) };
}

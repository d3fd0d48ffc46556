import { extractByRules, type EmailRuleParameters } from '../email/rules-extractor.js';
import { train, type Choice } from '../email/choice-model.js';
import { CANDIDATE_KIND, MODEL_FIELDS, candidatesOf, type ModelField } from '../email/signature-candidates.js';
import type { SignatureModel } from '../email/signature-model.js';
import { ENRON_FIELDS, PREDICTION, same, tallyEnron, truthsOf, unlabelledBlocks, type EnronDocument, type EnronField } from './enron-documents.js';
import { emptyTallies, poolTallies, score, type FieldTallies } from './field-tally.js';
import { splitFolds } from './folds.js';

const ENRON_FIELD = Object.fromEntries(ENRON_FIELDS.map((field) => [PREDICTION[field], field])) as Record<ModelField, EnronField>;

/**
 * The training emails' choices, a list a field: each message's candidates, a candidate
 * right when it equals an annotated value the way the evaluation compares them. A wrong
 * candidate inside a block annotated without its fields is left out (the block may well
 * hold the field, unlabelled), and a message whose only candidates were such teaches nothing.
 */
export function labelledChoices(documents: readonly EnronDocument[], rules: EmailRuleParameters): Record<ModelField, Choice[]> {
  const choices = Object.fromEntries(MODEL_FIELDS.map((field) => [field, [] as Choice[]])) as Record<ModelField, Choice[]>;
  for (const document of documents) {
    const unlabelled = unlabelledBlocks(document.denotations);
    const truths = Object.fromEntries(MODEL_FIELDS.map((field) => [field, truthsOf(document, ENRON_FIELD[field])])) as Record<ModelField, string[]>;
    for (const message of document.messages) {
      const picks = Object.fromEntries(extractByRules(message, { ...rules, model: null }).filter((field) => field.origin === 'signature').map((field) => [field.field_name, field.value]));
      const candidates = candidatesOf(message, picks);
      for (const field of MODEL_FIELDS) {
        const equal = same(ENRON_FIELD[field]);
        const all = candidates
          .filter((candidate) => candidate.kind === CANDIDATE_KIND[field])
          .map((candidate) => ({ features: candidate.features, right: truths[field].some((truth) => equal(candidate.text, truth)), text: candidate.text }));
        const labelled = all.filter(({ right, text }) => right || !unlabelled.some((block) => block.includes(text)));
        // With no right candidate and one left out, "none" is not known to be right either.
        if (labelled.length === 0 || (labelled.length < all.length && !labelled.some(({ right }) => right))) continue;
        choices[field].push({ candidates: labelled.map(({ features }) => features), right: labelled.map(({ right }) => right) });
      }
    }
  }
  return choices;
}

/**
 * The thresholds tried; 0.5 (more likely right than wrong) stands unless another reads better,
 * and null (the rules read the field) only if it reads better than every threshold.
 */
const THRESHOLDS = [0.5, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.55, 0.6, 0.7, null];
const INNER_FOLDS = 3;

const withThreshold = (model: SignatureModel, threshold: (field: ModelField) => number | null): SignatureModel =>
  Object.fromEntries(MODEL_FIELDS.map((field) => [field, { weights: model[field].weights, threshold: threshold(field) }])) as SignatureModel;

/** One choice model a field, each taking its value at 0.5. */
function trainAt50(documents: readonly EnronDocument[], rules: EmailRuleParameters): SignatureModel {
  const choices = labelledChoices(documents, rules);
  return Object.fromEntries(MODEL_FIELDS.map((field) => [field, { weights: train(choices[field]), threshold: 0.5 }])) as SignatureModel;
}

/**
 * The signature model trained on these emails: one choice model a field. A field's
 * threshold is chosen by cross-validation inside the training emails (the model's
 * probabilities on its own training emails are too sure of themselves to choose by): the
 * one whose held-back F1, scored as the evaluation scores, is best. A field with few
 * examples is often right below 0.5 and needs a lower one; a field the rules read better on
 * the held-back emails is left to them.
 */
export function trainSignatureModel(documents: readonly EnronDocument[], rules: EmailRuleParameters, options: { strict?: boolean } = {}): SignatureModel {
  const model = trainAt50(documents, rules);
  if (documents.length < INNER_FOLDS * 2) return model;
  const byId = new Map(documents.map((document) => [document.id, document]));
  const folds = splitFolds([...byId.keys()], INNER_FOLDS).map((ids) => ids.map((id) => byId.get(id) as EnronDocument));
  const heldBack = THRESHOLDS.map((): FieldTallies<EnronField>[] => [emptyTallies(ENRON_FIELDS)]);
  for (const [index, held] of folds.entries()) {
    const rest = folds.filter((_, other) => other !== index).flat();
    const inner = trainAt50(rest, rules);
    for (const [at, threshold] of THRESHOLDS.entries()) heldBack[at]?.push(tallyEnron(held, { ...rules, model: withThreshold(inner, () => threshold) }, options));
  }
  const pooled = heldBack.map((tallies) => poolTallies(ENRON_FIELDS, tallies));
  return withThreshold(model, (field) => {
    const f1 = pooled.map((tallies) => score(tallies[ENRON_FIELD[field]]).f1);
    return THRESHOLDS[f1.indexOf(Math.max(...f1))] ?? null;
  });
}

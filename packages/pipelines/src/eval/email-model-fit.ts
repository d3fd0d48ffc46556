import { extractByRules, type EmailRuleParameters } from '../email/rules-extractor.js';
import { train, type Choice } from '../email/choice-model.js';
import { CANDIDATE_KIND, MODEL_FIELDS, candidatesOf, type ModelField } from '../email/signature-candidates.js';
import type { SignatureModel } from '../email/signature-model.js';
import { ENRON_FIELDS, PREDICTION, same, truthsOf, unlabelledBlocks, type EnronDocument, type EnronField } from './enron-documents.js';

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

/** A field's value is taken when the model finds it more likely right than wrong. */
const TAKE_AT = 0.5;

/** The signature model trained on these emails: one choice model a field. */
export function trainSignatureModel(documents: readonly EnronDocument[], rules: EmailRuleParameters): SignatureModel {
  const choices = labelledChoices(documents, rules);
  return Object.fromEntries(MODEL_FIELDS.map((field) => [field, { weights: train(choices[field]), threshold: TAKE_AT }])) as SignatureModel;
}

import { DEFAULT_EMAIL_RULES, type EmailRuleParameters } from '../email/rules-extractor.js';
import { ENRON_FIELDS, tallyEnron, type EnronDocument } from './enron-documents.js';
import { score, sum } from './field-tally.js';
import type { Fittable } from './fittable.js';

/** The line lengths tried: a signature's title or organisation line is rarely longer than a dozen words. */
const ROLE_LINE_WORDS = [4, 5, 6, 7, 8, 9, 10, 11, 12];

/**
 * The email rules as a fittable extractor: the longest title or organisation line is the
 * one that reads the training emails best (overall F1, scored as the evaluation scores).
 * A value must beat the shipped one to replace it, so a tie changes nothing.
 */
export function emailRules(options: { strict?: boolean } = {}): Fittable<EnronDocument, EmailRuleParameters> {
  return {
    fit(training) {
      const trainingF1 = (parameters: EmailRuleParameters) => {
        const tallies = tallyEnron(training, parameters, options);
        return score(sum(ENRON_FIELDS.map((field) => tallies[field]))).f1;
      };
      let best = { parameters: DEFAULT_EMAIL_RULES, f1: trainingF1(DEFAULT_EMAIL_RULES) };
      for (const maxRoleLineWords of ROLE_LINE_WORDS) {
        const parameters = { ...DEFAULT_EMAIL_RULES, maxRoleLineWords };
        const f1 = trainingF1(parameters);
        if (f1 > best.f1) best = { parameters, f1 };
      }
      return best.parameters;
    },
  };
}

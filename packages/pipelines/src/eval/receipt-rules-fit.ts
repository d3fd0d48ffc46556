import { DEFAULT_RECEIPT_RULES, type ReceiptRuleParameters } from '../receipt/field-labeler.js';
import { fitCalibration } from '../calibration/confidence-calibration.js';
import { score, sum } from './field-tally.js';
import { bestOf, type Fittable } from './fittable.js';
import type { ReceiptReader, SroieDocument } from './receipt-reader.js';
import { SROIE_FIELDS, tallySroie } from './sroie-score.js';

/** The address lengths tried: a shop's address is printed on two to eight lines. */
const ADDRESS_LINES = [2, 3, 4, 5, 6, 7, 8];

/**
 * The receipt rules as a fittable extractor, one choice at a time: the longest address, then
 * the way its lines are joined, each the one that reads the training receipts best (overall
 * exact F1, as SROIE scores); then each label's confidence is calibrated on how often that
 * reading was right.
 */
export function receiptRules(reader: ReceiptReader): Fittable<SroieDocument, ReceiptRuleParameters> {
  const trainingScore = (training: readonly SroieDocument[]) => async (parameters: ReceiptRuleParameters) => {
    const { exact } = tallySroie(await reader.read(training, parameters));
    return score(sum(SROIE_FIELDS.map((field) => exact[field]))).f1;
  };
  return {
    fit: async (training) => {
      // The calibration of the reader's source is left empty while the rules are chosen, so the claims it is then fitted on carry the rules' own confidences.
      const uncalibrated = { ...DEFAULT_RECEIPT_RULES, calibration: { ...DEFAULT_RECEIPT_RULES.calibration, [reader.source]: {} } };
      const length = await bestOf(uncalibrated, ADDRESS_LINES.map((maxAddressLines) => ({ ...uncalibrated, maxAddressLines })), trainingScore(training));
      const joinings = [false, true].flatMap((closeSpacedComma) => [false, true].map((fullStopAsComma) => ({ ...length, closeSpacedComma, fullStopAsComma })));
      const rules = await bestOf(length, joinings, trainingScore(training));
      return { ...rules, calibration: { ...rules.calibration, [reader.source]: fitCalibration(tallySroie(await reader.read(training, rules)).samples) } };
    },
  };
}

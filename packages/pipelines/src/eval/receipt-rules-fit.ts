import { DEFAULT_RECEIPT_RULES, type ReceiptRuleParameters } from '../receipt/field-labeler.js';
import { fitCalibration } from '../calibration/confidence-calibration.js';
import { score, sum } from './field-tally.js';
import { bestOf, type Fittable } from './fittable.js';
import type { ReceiptReader, SroieDocument } from './receipt-reader.js';
import { SROIE_FIELDS, tallySroie } from './sroie-score.js';

/** The address lengths tried: a shop's address is printed on two to eight lines. */
const ADDRESS_LINES = [2, 3, 4, 5, 6, 7, 8];

/**
 * The receipt rules as a fittable extractor: the longest address is the one that reads the
 * training receipts best (overall exact F1, as SROIE scores), and each label's confidence is
 * then calibrated on how often that reading was right.
 */
export function receiptRules(reader: ReceiptReader): Fittable<SroieDocument, ReceiptRuleParameters> {
  return {
    async fit(training) {
      const uncalibrated = { ...DEFAULT_RECEIPT_RULES, calibration: {} };
      const rules = await bestOf(
        uncalibrated,
        ADDRESS_LINES.map((maxAddressLines) => ({ ...uncalibrated, maxAddressLines })),
        async (parameters) => {
          const { exact } = tallySroie(await reader.read(training, parameters));
          return score(sum(SROIE_FIELDS.map((field) => exact[field]))).f1;
        },
      );
      return { ...rules, calibration: fitCalibration(tallySroie(await reader.read(training, rules)).samples) };
    },
  };
}

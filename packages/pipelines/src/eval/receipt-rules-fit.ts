import { DEFAULT_RECEIPT_RULES, type ReceiptRuleParameters } from '../receipt/field-labeler.js';
import { score, sum } from './field-tally.js';
import { bestOf, type Fittable } from './fittable.js';
import type { ReceiptReader, SroieDocument } from './receipt-reader.js';
import { SROIE_FIELDS, tallySroie } from './sroie-score.js';

/** The address lengths tried: a shop's address is printed on two to eight lines. */
const ADDRESS_LINES = [2, 3, 4, 5, 6, 7, 8];

/** The receipt rules as a fittable extractor: the longest address is the one that reads the training receipts best (overall exact F1, as SROIE scores). */
export function receiptRules(reader: ReceiptReader): Fittable<SroieDocument, ReceiptRuleParameters> {
  return {
    fit: (training) =>
      bestOf(
        DEFAULT_RECEIPT_RULES,
        ADDRESS_LINES.map((maxAddressLines) => ({ ...DEFAULT_RECEIPT_RULES, maxAddressLines })),
        async (parameters) => {
          const { exact } = tallySroie(await reader.read(training, parameters));
          return score(sum(SROIE_FIELDS.map((field) => exact[field]))).f1;
        },
      ),
  };
}

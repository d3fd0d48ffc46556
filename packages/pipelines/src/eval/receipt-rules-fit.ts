import { DEFAULT_RECEIPT_RULES, type ReceiptRuleParameters } from '../receipt/field-labeler.js';
import type { OcrTextRules } from '../receipt/ocr-text.js';
import { fitCalibration } from '../calibration/confidence-calibration.js';
import { score, sum } from './field-tally.js';
import { bestOf, type Fittable } from './fittable.js';
import type { ReceiptReader, SroieDocument } from './receipt-reader.js';
import { SROIE_FIELDS, tallySroie } from './sroie-score.js';

/** What fitting the rules reads through: which calibration the receipts' text takes, and the receipts read with given parameters. */
export type RuleFitReader = Pick<ReceiptReader, 'source' | 'read'>;

/** The address lengths tried: a shop's address is printed on two to eight lines. */
const ADDRESS_LINES = [2, 3, 4, 5, 6, 7, 8];

/** The choices of `OcrTextRules`, each fitted on or off. */
const CHOICES = ['upperCase', 'spacedPunctuation', 'splitCaseChange', 'zeroAndLetterO', 'stopAsComma'] as const satisfies ReadonlyArray<keyof OcrTextRules>;
/** Every way of writing OCR'd text in the fields: each choice on or off, the first as read. */
const OCR_TEXT_RULES: OcrTextRules[] = CHOICES.reduce<Array<Partial<OcrTextRules>>>((ways, choice) => ways.flatMap((way) => [false, true].map((on) => ({ ...way, [choice]: on }))), [{}]) as OcrTextRules[];
const AS_READ = OCR_TEXT_RULES[0] as OcrTextRules;

/** The rules with the reader's part of their calibration left empty, so the claims they read carry the rules' own confidences. */
const uncalibrated = (reader: RuleFitReader, rules: ReceiptRuleParameters): ReceiptRuleParameters => ({ ...rules, calibration: { ...rules.calibration, [reader.source]: {} } });

/** The rules with the reader's part of their calibration fitted on how often their claims on these receipts were right. */
export async function withFittedCalibration(reader: RuleFitReader, receipts: readonly SroieDocument[], rules: ReceiptRuleParameters): Promise<ReceiptRuleParameters> {
  const raw = uncalibrated(reader, rules);
  return { ...raw, calibration: { ...raw.calibration, [reader.source]: fitCalibration(tallySroie(await reader.read(receipts, raw)).samples) } };
}

/**
 * The receipt rules as a fittable extractor, one choice at a time: the longest address, then
 * the way its lines are joined, then (for OCR'd receipts) how OCR'd text is written in the
 * fields, each the one that reads the training receipts best (overall exact F1, as SROIE
 * scores); then each label's confidence is calibrated on how often that reading was right.
 */
export function receiptRules(reader: RuleFitReader): Fittable<SroieDocument, ReceiptRuleParameters> {
  const trainingScore = (training: readonly SroieDocument[]) => async (parameters: ReceiptRuleParameters) => {
    const { exact } = tallySroie(await reader.read(training, parameters));
    return score(sum(SROIE_FIELDS.map((field) => exact[field]))).f1;
  };
  return {
    fit: async (training) => {
      // Chosen uncalibrated, so the reads the calibration is then fitted on are the ones already made.
      const shipped = uncalibrated(reader, DEFAULT_RECEIPT_RULES);
      const length = await bestOf(shipped, ADDRESS_LINES.map((maxAddressLines) => ({ ...shipped, maxAddressLines })), trainingScore(training));
      const joinings = [false, true].flatMap((closeSpacedComma) => [false, true].map((fullStopAsComma) => ({ ...length, closeSpacedComma, fullStopAsComma })));
      const joined = await bestOf(length, joinings, trainingScore(training));
      // How OCR'd text is written changes nothing in given text, so only OCR'd receipts choose it;
      // a way of rewriting what was read is taken only where it beats the text as read.
      const rules = reader.source === 'ocr' ? await bestOf({ ...joined, ocrText: AS_READ }, OCR_TEXT_RULES.map((ocrText) => ({ ...joined, ocrText })), trainingScore(training)) : joined;
      return withFittedCalibration(reader, training, rules);
    },
  };
}

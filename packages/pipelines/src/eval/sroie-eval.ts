import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_RECEIPT_RULES, type ReceiptCalibration, type ReceiptRuleParameters } from '../receipt/field-labeler.js';
import type { OcrEngineName } from '../ocr/ocr-engine.js';
import { copyCeiling } from './copy-ceiling.js';
import { crossValidate, type CrossValidated } from './cross-validate.js';
import type { FieldScore } from './field-tally.js';
import { createReceiptReader, type ReceiptReader, type SroieDocument } from './receipt-reader.js';
import { receiptRules, withFittedCalibration } from './receipt-rules-fit.js';
import { poolSroieTallies, scoreSroie, scoreSroieTallies, tallySroie, type SroieField, type SroieScores } from './sroie-score.js';

export type { FieldScore };
export { SROIE_FIELDS, type SroieField } from './sroie-score.js';

type FirstFieldMs = { p50: number; p99: number; max: number };

export interface SroieReport extends SroieScores {
  receipts: number;
  /** Milliseconds from the words being available (run start) to the first field_labeled event. */
  first_field_ms: FirstFieldMs;
  /** The share of keys that can be copied out of the lines read at all (see `copyCeiling`). */
  ceiling: Record<SroieField | 'overall', number>;
}

/** Held-back and training figures, each pooled over the folds. */
export interface SroieFoldedReport extends CrossValidated<ReceiptRuleParameters, SroieScores> {
  receipts: number;
  /** Of the pipeline as shipped, as in `SroieReport`. */
  first_field_ms: FirstFieldMs;
  ceiling: SroieReport['ceiling'];
}

/** The receipts of an SROIE-format folder that have a key; a few have no ground truth. */
async function loadSroie(dataDir: string, from: 'boxes' | 'images'): Promise<SroieDocument[]> {
  const folder = from === 'boxes' ? 'box' : 'img';
  const extension = from === 'boxes' ? '.txt' : '.jpg';
  const ids = (await readdir(join(dataDir, folder))).filter((name) => name.endsWith(extension)).map((name) => name.slice(0, -4)).sort();
  const documents: SroieDocument[] = [];
  for (const id of ids) {
    try {
      documents.push({ id, key: JSON.parse(await readFile(join(dataDir, 'key', `${id}.json`), 'utf8')) as SroieDocument['key'] });
    } catch {
      continue;
    }
  }
  return documents;
}

/** Loads the folder, reads it with `score`, and closes the reader's pipelines (the OCR pool) after. */
async function withReceipts<T>(
  dataDir: string,
  from: 'boxes' | 'images',
  ocrEngine: OcrEngineName | undefined,
  onProgress: ((done: number, total: number) => void) | undefined,
  score: (documents: SroieDocument[], reader: ReceiptReader) => Promise<T>,
): Promise<T> {
  const documents = await loadSroie(dataDir, from);
  const reader = createReceiptReader(dataDir, from, (read) => onProgress?.(read, documents.length), ocrEngine);
  try {
    return await score(documents, reader);
  } finally {
    await reader.close();
  }
}

const ceilingOf = async (reader: ReceiptReader, documents: readonly SroieDocument[]) => {
  const lines = await reader.printedLines(documents);
  return copyCeiling(documents.map(({ key }, index) => ({ lines: lines[index] ?? [], key })));
};

/**
 * Runs the receipt pipeline on an SROIE-format folder (`box/<id>.txt` or `img/<id>.jpg`,
 * and `key/<id>.json`) and scores it the SROIE way: exact strings after trimming, and
 * normalised forms. Images are read with `ocrEngine`, by default the pipeline's.
 */
export async function evaluateSroie(dataDir: string, from: 'boxes' | 'images', onProgress?: (done: number, total: number) => void, ocrEngine?: OcrEngineName): Promise<SroieReport> {
  return withReceipts(dataDir, from, ocrEngine, onProgress, async (documents, reader) => {
    const receipts = await reader.read(documents);
    return { receipts: receipts.length, ...scoreSroie(receipts), first_field_ms: await reader.firstFieldMs(), ceiling: await ceilingOf(reader, documents) };
  });
}

/**
 * The confidence calibration of the rules as shipped, its part for the folder's source (boxes
 * are given text, images OCR'd) fitted on every receipt of the folder, the other part as
 * shipped: what `unfold eval receipt --write-calibration` writes, and the pipeline ships.
 */
export async function fitSroieCalibration(dataDir: string, from: 'boxes' | 'images', onProgress?: (done: number, total: number) => void, ocrEngine?: OcrEngineName): Promise<ReceiptCalibration> {
  return withReceipts(dataDir, from, ocrEngine, onProgress, async (documents, reader) => (await withFittedCalibration(reader, documents, DEFAULT_RECEIPT_RULES)).calibration);
}

/** Scores the receipt pipeline by k-fold cross-validation: rules fitted on k−1 folds, scored on the one held back. */
export async function crossValidateSroie(
  dataDir: string,
  from: 'boxes' | 'images',
  options: { folds: number; seed?: number | undefined; ocrEngine?: OcrEngineName | undefined },
  onProgress?: (done: number, total: number) => void,
): Promise<SroieFoldedReport> {
  return withReceipts(dataDir, from, options.ocrEngine, onProgress, async (documents, reader) => {
    const { held_out, training, ...folds } = await crossValidate({
      documents,
      folds: options.folds,
      seed: options.seed,
      extractor: receiptRules(reader),
      tally: async (parameters, part) => tallySroie(await reader.read(part, parameters)),
      pool: poolSroieTallies,
    });
    return { receipts: documents.length, ...folds, held_out: scoreSroieTallies(held_out), training: scoreSroieTallies(training), first_field_ms: await reader.firstFieldMs(), ceiling: await ceilingOf(reader, documents) };
  });
}

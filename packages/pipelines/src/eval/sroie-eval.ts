import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReceiptRuleParameters } from '../receipt/field-labeler.js';
import { crossValidate } from './cross-validate.js';
import { poolTallies, type FieldScore } from './field-tally.js';
import { DEFAULT_FOLD_SEED } from './folds.js';
import { createReceiptReader, type ReceiptReader, type SroieDocument } from './receipt-reader.js';
import { receiptRules } from './receipt-rules-fit.js';
import { SROIE_FIELDS, scoreSroie, scoreSroieTallies, tallySroie, type SroieScores, type SroieTallies } from './sroie-score.js';

export type { FieldScore };
export { SROIE_FIELDS, type SroieField } from './sroie-score.js';

type FirstFieldMs = { p50: number; p99: number; max: number };

export interface SroieReport extends SroieScores {
  receipts: number;
  /** Milliseconds from the words being available (run start) to the first field_labeled event. */
  first_field_ms: FirstFieldMs;
}

export interface SroieFoldedReport {
  receipts: number;
  folds: number;
  seed: number;
  /** What was fitted on each fold's training folds, in fold order. */
  parameters: ReceiptRuleParameters[];
  /** Each receipt scored by rules fitted without it, pooled over the folds. */
  held_out: SroieScores;
  /** Each fold's training receipts scored by the rules fitted on them, pooled over the folds. */
  training: SroieScores;
  /** Of the pipeline as shipped, as in `SroieReport`. */
  first_field_ms: FirstFieldMs;
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
async function withReceipts<T>(dataDir: string, from: 'boxes' | 'images', onProgress: ((done: number, total: number) => void) | undefined, score: (documents: SroieDocument[], reader: ReceiptReader) => Promise<T>): Promise<T> {
  const documents = await loadSroie(dataDir, from);
  const reader = createReceiptReader(dataDir, from, (read) => onProgress?.(read, documents.length));
  try {
    return await score(documents, reader);
  } finally {
    await reader.close();
  }
}

/**
 * Runs the receipt pipeline on an SROIE-format folder (`box/<id>.txt` or `img/<id>.jpg`,
 * and `key/<id>.json`) and scores it the SROIE way: exact strings after trimming, and
 * normalised forms.
 */
export async function evaluateSroie(dataDir: string, from: 'boxes' | 'images', onProgress?: (done: number, total: number) => void): Promise<SroieReport> {
  return withReceipts(dataDir, from, onProgress, async (documents, reader) => {
    const receipts = await reader.read(documents);
    return { receipts: receipts.length, ...scoreSroie(receipts), first_field_ms: await reader.firstFieldMs() };
  });
}

/** Scores the receipt pipeline by k-fold cross-validation: rules fitted on k−1 folds, scored on the one held back. */
export async function crossValidateSroie(
  dataDir: string,
  from: 'boxes' | 'images',
  options: { folds: number; seed?: number | undefined },
  onProgress?: (done: number, total: number) => void,
): Promise<SroieFoldedReport> {
  const seed = options.seed ?? DEFAULT_FOLD_SEED;
  return withReceipts(dataDir, from, onProgress, async (documents, reader) => {
    const outcomes = await crossValidate({
      documents,
      id: (document) => document.id,
      folds: options.folds,
      seed,
      extractor: receiptRules(reader),
      tally: async (parameters, part) => tallySroie(await reader.read(part, parameters)),
    });
    const pooled = (part: 'held_out' | 'training'): SroieTallies => ({
      exact: poolTallies(SROIE_FIELDS, outcomes.map((outcome) => outcome[part].exact)),
      normalized: poolTallies(SROIE_FIELDS, outcomes.map((outcome) => outcome[part].normalized)),
    });
    return {
      receipts: documents.length,
      folds: options.folds,
      seed,
      parameters: outcomes.map((outcome) => outcome.parameters),
      held_out: scoreSroieTallies(pooled('held_out')),
      training: scoreSroieTallies(pooled('training')),
      first_field_ms: await reader.firstFieldMs(),
    };
  });
}

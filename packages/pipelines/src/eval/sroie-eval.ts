import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runInMemory, type Store } from '@unfold/engine';
import type { UnfoldEvent } from '@unfold/protocol';
import { createReceiptPipeline } from '../receipt/receipt-pipeline.js';
import type { FieldScore } from './field-tally.js';
import { scoreSroie, type SroieField, type SroieReceipt, type SroieScores } from './sroie-score.js';

export type { FieldScore };
export { SROIE_FIELDS, type SroieField } from './sroie-score.js';

export interface SroieReport extends SroieScores {
  receipts: number;
  /** Milliseconds from the words being available (run start) to the first field_labeled event. */
  first_field_ms: { p50: number; p99: number; max: number };
}

type ReceiptPipeline = ReturnType<typeof createReceiptPipeline>;

/** One receipt through the engine, as a server runs it; times words-available → first field. */
async function runOne(pipeline: ReceiptPipeline, input: Record<string, unknown>, receiptId: string): Promise<{ result: Record<string, unknown> | undefined; firstFieldMs: number | undefined }> {
  // The words are available when the run starts (boxes) or when OCR completes (images).
  let started: number | undefined;
  let firstFieldMs: number | undefined;
  const watch = (store: Store) =>
    store.events.onAppend(receiptId, (event: UnfoldEvent) => {
      const wordsReady = 'sroie_boxes' in input ? event.event_type === 'processing_started' : event.event_type === 'tool_completed' && event.tool_name === 'ocr_extraction';
      if (wordsReady) started = performance.now();
      if (event.event_type === 'field_labeled' && firstFieldMs === undefined && started !== undefined) firstFieldMs = performance.now() - started;
    });
  try {
    const { outcome } = await runInMemory(pipeline, input, { runId: receiptId, onStore: watch });
    const terminal = outcome.terminal;
    return { result: terminal.event_type === 'processing_completed' ? (terminal.result as Record<string, unknown>) : undefined, firstFieldMs };
  } catch {
    return { result: undefined, firstFieldMs }; // input the pipeline refuses scores as no prediction
  }
}

/** Predictions for the SROIE fields from the pipeline's result. */
function predictions(result: Record<string, unknown> | undefined): Record<SroieField, string | undefined> {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  return { company: text(result?.['merchant_name']), address: text(result?.['address']), date: text(result?.['date']), total: text(result?.['total']) };
}

/**
 * Runs the receipt pipeline on an SROIE-format folder (`box/<id>.txt` or `img/<id>.jpg`,
 * and `key/<id>.json`) and scores it the SROIE way: exact strings after trimming, and
 * normalised forms.
 */
export async function evaluateSroie(dataDir: string, from: 'boxes' | 'images', onProgress?: (done: number, total: number) => void): Promise<SroieReport> {
  const folder = from === 'boxes' ? 'box' : 'img';
  const extension = from === 'boxes' ? '.txt' : '.jpg';
  const ids = (await readdir(join(dataDir, folder))).filter((name) => name.endsWith(extension)).map((name) => name.slice(0, -4)).sort();
  const pipeline = createReceiptPipeline();
  try {
    return await scoreReceipts(dataDir, ids, from, pipeline, onProgress);
  } finally {
    await pipeline.close?.();
  }
}

async function scoreReceipts(dataDir: string, ids: string[], from: 'boxes' | 'images', pipeline: ReceiptPipeline, onProgress?: (done: number, total: number) => void): Promise<SroieReport> {
  const scored: SroieReceipt[] = [];
  const firstField: number[] = [];
  for (const [index, id] of ids.entries()) {
    let key: SroieReceipt['key'];
    try {
      key = JSON.parse(await readFile(join(dataDir, 'key', `${id}.json`), 'utf8')) as SroieReceipt['key'];
    } catch {
      continue; // a few receipts have no ground truth
    }
    const input =
      from === 'boxes'
        ? { sroie_boxes: await readFile(join(dataDir, 'box', `${id}.txt`), 'utf8') }
        : { image_base64: (await readFile(join(dataDir, 'img', `${id}.jpg`))).toString('base64') };
    const { result, firstFieldMs } = await runOne(pipeline, input, id);
    if (firstFieldMs !== undefined) firstField.push(firstFieldMs);
    scored.push({ predicted: predictions(result), key });
    onProgress?.(index + 1, ids.length);
  }
  firstField.sort((a, b) => a - b);
  const at = (p: number) => Math.round((firstField[Math.min(firstField.length - 1, Math.ceil((p / 100) * firstField.length) - 1)] ?? 0) * 100) / 100;
  return { receipts: scored.length, ...scoreSroie(scored), first_field_ms: { p50: at(50), p99: at(99), max: at(100) } };
}

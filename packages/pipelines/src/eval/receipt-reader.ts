import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runInMemory, type Store } from '@unfold/engine';
import type { UnfoldEvent } from '@unfold/protocol';
import type { OcrEngineName } from '../ocr/ocr-engine.js';
import { DEFAULT_RECEIPT_RULES, type ReceiptRuleParameters, type WordSource } from '../receipt/field-labeler.js';
import { createReceiptPipeline } from '../receipt/receipt-pipeline.js';
import type { ReceiptWord } from '../receipt/receipt-words.js';
import type { Claim, SroieField, SroieReceipt } from './sroie-score.js';

/** A labelled receipt of an SROIE-format folder: its id (the file name) and its ground truth. */
export interface SroieDocument {
  id: string;
  key: SroieReceipt['key'];
}

type ReceiptPipeline = ReturnType<typeof createReceiptPipeline>;
type Input = { sroie_boxes: string } | { image_base64: string } | { words: ReceiptWord[] };

interface Run {
  result: Record<string, unknown> | undefined;
  claims: Claim[];
  /** From the words being available to the first field_labeled event. */
  firstFieldMs: number | undefined;
  words: ReceiptWord[] | undefined;
}

/** The words as the `receipt_words` event streams them, back in the input's shape. */
type StreamedWord = { word_id: number; line_id: number; text: string; box: [number, number, number, number]; confidence: number };
const wordOf = ({ box: [x, y, width, height], ...word }: StreamedWord): ReceiptWord => ({ ...word, bounding_box: { x, y, width, height } });

/** One receipt through the engine, as a server runs it; times words-available → first field, and keeps the words. */
async function runOne(pipeline: ReceiptPipeline, input: Input, receiptId: string): Promise<Run> {
  // The words are available when the run starts, or when OCR completes on an image.
  let started: number | undefined;
  let firstFieldMs: number | undefined;
  let words: ReceiptWord[] | undefined;
  const claims: Claim[] = [];
  const watch = (store: Store) =>
    store.events.onAppend(receiptId, (event: UnfoldEvent) => {
      const wordsReady = 'image_base64' in input ? event.event_type === 'tool_completed' && event.tool_name === 'ocr_extraction' : event.event_type === 'processing_started';
      if (wordsReady) started = performance.now();
      if (event.event_type === 'receipt_words') words = event.words.map(wordOf);
      if (event.event_type !== 'field_labeled') return;
      claims.push({ label: event.field_name, value: event.value, confidence: event.confidence });
      if (firstFieldMs === undefined && started !== undefined) firstFieldMs = performance.now() - started;
    });
  try {
    const { outcome } = await runInMemory(pipeline, input, { runId: receiptId, onStore: watch });
    const terminal = outcome.terminal;
    return { result: terminal.event_type === 'processing_completed' ? (terminal.result as Record<string, unknown>) : undefined, claims, firstFieldMs, words };
  } catch {
    return { result: undefined, claims: [], firstFieldMs, words }; // input the pipeline refuses scores as no prediction
  }
}

/** Words joined by spaces within each line, the lines in the order their first word comes. */
function linesOf(words: readonly ReceiptWord[]): string[] {
  const lines = new Map<number, string[]>();
  for (const word of words) lines.set(word.line_id, [...(lines.get(word.line_id) ?? []), word.text]);
  return [...lines.values()].map((line) => line.join(' '));
}

/** Predictions for the SROIE fields from the pipeline's result. */
function predictions(result: Record<string, unknown> | undefined): Record<SroieField, string | undefined> {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  return { company: text(result?.['merchant_name']), address: text(result?.['address']), date: text(result?.['date']), total: text(result?.['total']) };
}

/**
 * Reads receipts of a folder through the receipt pipeline built from given rule
 * parameters, each receipt once per parameters. A receipt's file (its boxes, or its image
 * through OCR) is read once, by the pipeline as shipped, which also gives the timing; other
 * parameters read the words that run produced, so OCR is never repeated. Images are read
 * with `ocrEngine` (by default the pipeline's).
 */
export function createReceiptReader(dataDir: string, from: 'boxes' | 'images', onRead?: (read: number) => void, ocrEngine?: OcrEngineName) {
  const shippedKey = JSON.stringify(DEFAULT_RECEIPT_RULES);
  const pipelines = new Map<string, ReceiptPipeline>([[shippedKey, createReceiptPipeline(ocrEngine ? { ocrEngine } : {})]]);
  const firstRuns = new Map<string, Promise<Run>>();
  const predicted = new Map<string, Promise<SroieReceipt>>();

  const pipelineFor = (key: string, parameters: ReceiptRuleParameters) => {
    let pipeline = pipelines.get(key);
    if (!pipeline) pipelines.set(key, (pipeline = createReceiptPipeline({ rules: parameters })));
    return pipeline;
  };
  const firstRun = ({ id }: SroieDocument) => {
    let run = firstRuns.get(id);
    if (!run) {
      run = (async () => {
        const input = from === 'boxes' ? { sroie_boxes: await readFile(join(dataDir, 'box', `${id}.txt`), 'utf8') } : { image_base64: (await readFile(join(dataDir, 'img', `${id}.jpg`))).toString('base64') };
        const done = await runOne(pipelines.get(shippedKey) as ReceiptPipeline, input, id);
        onRead?.(firstRuns.size);
        return done;
      })();
      firstRuns.set(id, run);
    }
    return run;
  };
  const readWith = async (document: SroieDocument, parameters: ReceiptRuleParameters, key: string): Promise<SroieReceipt> => {
    const shipped = await firstRun(document);
    const run = key === shippedKey || !shipped.words ? shipped : await runOne(pipelineFor(key, parameters), { words: shipped.words }, document.id);
    return { predicted: predictions(run.result), claims: run.claims, key: document.key };
  };

  return {
    /** Which calibration the receipts' claims are fitted to: boxes are given text, images OCR'd. */
    source: (from === 'boxes' ? 'given' : 'ocr') as WordSource,
    /** What the pipeline built from these parameters reads from these receipts, in order. */
    async read(documents: readonly SroieDocument[], parameters: ReceiptRuleParameters = DEFAULT_RECEIPT_RULES): Promise<SroieReceipt[]> {
      const key = JSON.stringify(parameters);
      const receipts: SroieReceipt[] = [];
      for (const document of documents) {
        const cacheKey = `${key}\0${document.id}`;
        let receipt = predicted.get(cacheKey);
        if (!receipt) predicted.set(cacheKey, (receipt = readWith(document, parameters, key)));
        receipts.push(await receipt);
      }
      return receipts;
    },
    /** Each receipt's printed lines, its words joined line by line as the pipeline read them. */
    async printedLines(documents: readonly SroieDocument[]): Promise<string[][]> {
      return Promise.all(documents.map(async (document) => linesOf((await firstRun(document)).words ?? [])));
    },
    /** Words-available → first field_labeled over the receipts read so far, as shipped. */
    async firstFieldMs(): Promise<{ p50: number; p99: number; max: number }> {
      const times = (await Promise.all(firstRuns.values())).flatMap((run) => (run.firstFieldMs === undefined ? [] : [run.firstFieldMs])).sort((a, b) => a - b);
      const at = (p: number) => Math.round((times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] ?? 0) * 100) / 100;
      return { p50: at(50), p99: at(99), max: at(100) };
    },
    /** Closes every pipeline built (the shipped one holds the OCR pool). */
    async close(): Promise<void> {
      await Promise.all([...pipelines.values()].map((pipeline) => pipeline.close?.()));
    },
  };
}

export type ReceiptReader = ReturnType<typeof createReceiptReader>;

import type { ReceiptWord } from '../receipt/receipt-words.js';
import { OcrPool } from './ocr-pool.js';
import { PaddleOcr } from './paddle-ocr.js';

/** Reads the words, with their boxes and lines, off a JPEG or PNG image. */
export interface OcrEngine {
  /** `onProgress` gets 0–1; `signal` gives the job up (it rejects with the signal's reason). */
  recognize(image: Buffer, onProgress: (progress: number) => void, signal?: AbortSignal): Promise<ReceiptWord[]>;
  close(): Promise<void>;
}

/** The engines that ship: PaddleOCR (the default: better on receipt photos) or Tesseract. */
export const OCR_ENGINES = ['paddle', 'tesseract'] as const;
export type OcrEngineName = (typeof OCR_ENGINES)[number];

/** An engine by name; `workers` sizes Tesseract's pool of worker threads. */
export function createOcrEngine(name: OcrEngineName = 'paddle', workers?: number): OcrEngine {
  return name === 'tesseract' ? new OcrPool(workers) : new PaddleOcr();
}

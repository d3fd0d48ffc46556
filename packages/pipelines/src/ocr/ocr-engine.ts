import { UnfoldError } from '@unfold/protocol';
import type { ReceiptWord } from '../receipt/receipt-words.js';
import { OcrPool } from './ocr-pool.js';

/** Reads the words, with their boxes and lines, off a JPEG or PNG image. */
export interface OcrEngine {
  /** `onProgress` gets 0–1; `signal` gives the job up (it rejects with the signal's reason). */
  recognize(image: Buffer, onProgress: (progress: number) => void, signal?: AbortSignal): Promise<ReceiptWord[]>;
  close(): Promise<void>;
}

/** The engines that ship: PaddleOCR (the default: better on receipt photos) or Tesseract. */
export const OCR_ENGINES = ['paddle', 'tesseract'] as const;
export type OcrEngineName = (typeof OCR_ENGINES)[number];

/**
 * PaddleOCR, its module imported on the first image: ONNX Runtime and OpenCV's WebAssembly
 * take about half a second to load, which every command and server start would pay otherwise.
 */
function lazyPaddle(): OcrEngine {
  let engine: Promise<OcrEngine> | undefined;
  const load = () =>
    (engine ??= import('./paddle-ocr.js').then(
      ({ PaddleOcr }) => new PaddleOcr(),
      (error: unknown) => {
        engine = undefined;
        throw new UnfoldError('internal_error', `the OCR engine could not start: ${error instanceof Error ? error.message : String(error)}`);
      },
    ));
  return {
    recognize: async (image, onProgress, signal) => (await load()).recognize(image, onProgress, signal),
    async close() {
      const loaded = engine;
      engine = undefined;
      await (await loaded?.catch(() => undefined))?.close();
    },
  };
}

/** An engine by name; `workers` sizes Tesseract's pool of worker threads. */
export function createOcrEngine(name: OcrEngineName = 'paddle', workers?: number): OcrEngine {
  return name === 'tesseract' ? new OcrPool(workers) : lazyPaddle();
}

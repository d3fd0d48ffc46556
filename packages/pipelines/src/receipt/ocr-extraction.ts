import { defineTool } from '@unfold/engine';
import { UnfoldError } from '@unfold/protocol';
import { createGuardedFetch, type GuardedFetch, type GuardedFetchOptions } from '../fetch/guarded-fetch.js';
import { createOcrEngine, type OcrEngine, type OcrEngineName } from '../ocr/ocr-engine.js';
import { downloadImage } from './image-download.js';
import { readReceiptImage } from './receipt-image.js';
import type { ReceiptWord } from './receipt-words.js';

/** What the OCR tool reads from its run's input: words already made (it is skipped), or an image. */
export type OcrInput = { words: ReceiptWord[] } | { image_base64: string } | { image_url: string };

export interface OcrToolOptions {
  /** Which OCR reads photos: `paddle` (PaddleOCR, the default) or `tesseract`; or an engine of your own. */
  ocrEngine?: OcrEngineName | OcrEngine;
  /** Tesseract workers; by default one a core, up to four. */
  ocrWorkers?: number;
  /** How an `image_url` may be fetched: by default public addresses only. */
  fetch?: GuardedFetchOptions;
}

/**
 * The `ocr_extraction` tool: reads the words off a JPEG or PNG photo (base64 or a URL) with
 * an embedded OCR model (PaddleOCR by default, Tesseract by choice), reporting its real
 * progress, and returns them with their boxes. Its engine is made on the first image and its
 * fetcher on the first URL; both are kept for later runs until `close()`, which the
 * pipeline's own `close` calls (an engine given in the options is the caller's to close).
 */
export function createOcrTool(options: OcrToolOptions = {}) {
  const given = typeof options.ocrEngine === 'object' ? options.ocrEngine : undefined;
  let engine: OcrEngine | undefined = given;
  let fetcher: GuardedFetch | undefined;
  const tool = defineTool<'ocr_extraction', OcrInput, ReceiptWord[]>({
    name: 'ocr_extraction',
    timeoutMs: 120_000,
    skip: (context) => ('words' in context.input ? 'OCR words were given' : undefined),
    async run(context) {
      const input = context.input;
      if ('words' in input) return input.words;
      if (!('image_base64' in input) && !('image_url' in input)) throw new UnfoldError('invalid_input', 'ocr_extraction reads the run input\'s image_base64 or image_url, and it has neither');
      // Checked again here: a pipeline's schema need not have checked it.
      const image = readReceiptImage('image_base64' in input ? Buffer.from(input.image_base64, 'base64') : await downloadImage((fetcher ??= createGuardedFetch(options.fetch)), input.image_url, context.signal, context.runId));
      context.progress(0, `${image.width}×${image.height} ${image.type}`);
      const words = await (engine ??= createOcrEngine(options.ocrEngine as OcrEngineName | undefined, options.ocrWorkers)).recognize(image.bytes, (progress) => context.progress(progress * 100, 'recognizing text'), context.signal);
      if (words.length === 0) throw new UnfoldError('no_text_found', 'OCR found no text in the image');
      context.progress(100, `${words.length} words`);
      return words;
    },
  });
  return {
    ...tool,
    async close(): Promise<void> {
      await Promise.all([engine === given ? undefined : engine?.close(), fetcher?.close()]);
      engine = given;
      fetcher = undefined;
    },
  };
}

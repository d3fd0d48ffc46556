import { UnfoldError } from '@unfold/protocol';
import type { Tool, ToolContext } from '@unfold/engine';
import type { GuardedFetch } from '../fetch/guarded-fetch.js';
import type { OcrPool } from '../ocr/ocr-pool.js';
import { downloadImage } from './image-download.js';
import { readReceiptImage } from './receipt-image.js';
import type { ReceiptInput } from './receipt-input.js';
import type { ReceiptWord } from './receipt-words.js';

/** Reads the words off a receipt image with the embedded OCR, reporting its real progress. */
export function ocrExtraction(pool: () => OcrPool, fetcher: () => GuardedFetch): Tool<ReceiptInput> {
  return {
    name: 'ocr_extraction',
    timeoutMs: 120_000,
    skip: (context) => ('words' in context.input ? 'OCR words were given' : undefined),
    async run(context: ToolContext<ReceiptInput>): Promise<ReceiptWord[]> {
      const input = context.input;
      if ('words' in input) return input.words;
      const image = 'image' in input ? input.image : readReceiptImage(await downloadImage(fetcher(), input.image_url, context.signal, context.runId));
      context.progress(0, `${image.width}×${image.height} ${image.type}`);
      const words = await pool().recognize(image.bytes, (progress) => context.progress(progress * 100, 'recognizing text'), context.signal);
      if (words.length === 0) throw new UnfoldError('no_text_found', 'OCR found no text on the receipt');
      context.progress(100, `${words.length} words`);
      return words;
    },
  };
}

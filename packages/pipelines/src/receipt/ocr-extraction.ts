import { UnfoldError } from '@unfold/protocol';
import { withDeadline, type Tool, type ToolContext } from '@unfold/engine';
import type { OcrPool } from '../ocr/ocr-pool.js';
import { MAX_IMAGE_BYTES, readReceiptImage } from './receipt-image.js';
import type { ReceiptInput } from './receipt-input.js';
import type { ReceiptWord } from './receipt-words.js';

const DOWNLOAD_TIMEOUT_MS = 15_000;

/** Fetches an image URL the caller gave, within the image size limit and a timeout. */
async function download(url: string, signal: AbortSignal): Promise<Buffer> {
  const deadline = withDeadline(signal, DOWNLOAD_TIMEOUT_MS, () => new UnfoldError('tool_timeout', `fetching ${url} took longer than ${DOWNLOAD_TIMEOUT_MS} ms`, { transient: true }));
  try {
    return await readBody(url, deadline.signal);
  } finally {
    deadline.dispose();
  }
}

async function readBody(url: string, signal: AbortSignal): Promise<Buffer> {
  const response = await fetch(url, { signal }).catch((error: unknown) => {
    throw new UnfoldError('invalid_input', `could not fetch ${url}: ${(error as Error).message}`, { transient: true });
  });
  if (!response.ok || !response.body) throw new UnfoldError('invalid_input', `fetching ${url} answered ${response.status}`, { transient: response.status >= 500 });
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (let part = await reader.read(); !part.done; part = await reader.read()) {
    size += part.value.length;
    if (size > MAX_IMAGE_BYTES) {
      await reader.cancel();
      throw new UnfoldError('image_too_large', `${url} is over ${MAX_IMAGE_BYTES} bytes`);
    }
    chunks.push(Buffer.from(part.value));
  }
  return Buffer.concat(chunks);
}

/** Reads the words off a receipt image with the embedded OCR, reporting its real progress. */
export function ocrExtraction(pool: () => OcrPool): Tool<ReceiptInput> {
  return {
    name: 'ocr_extraction',
    timeoutMs: 120_000,
    skip: (context) => ('words' in context.input ? 'OCR words were given' : undefined),
    async run(context: ToolContext<ReceiptInput>): Promise<ReceiptWord[]> {
      const input = context.input;
      if ('words' in input) return input.words;
      const image = 'image' in input ? input.image : readReceiptImage(await download(input.image_url, context.signal));
      context.progress(0, `${image.width}×${image.height} ${image.type}`);
      const words = await pool().recognize(image.bytes, (progress) => context.progress(progress * 100, 'recognizing text'), context.signal);
      if (words.length === 0) throw new UnfoldError('no_text_found', 'OCR found no text on the receipt');
      context.progress(100, `${words.length} words`);
      return words;
    },
  };
}

import { UnfoldError } from '@unfold/protocol';
import { z } from 'zod';
import { MAX_IMAGE_BYTES, readReceiptImage, type ReceiptImage } from './receipt-image.js';
import { MAX_BOX_FILE_CHARS, receiptWordsSchema, wordsFromSroieBoxes, type ReceiptWord } from './receipt-words.js';

const receiptId = z.string().max(200).optional();
const inputSchema = z.union([
  z.strictObject({ words: receiptWordsSchema, receipt_id: receiptId }),
  z.strictObject({ sroie_boxes: z.string().max(MAX_BOX_FILE_CHARS), receipt_id: receiptId }),
  z.strictObject({ image_base64: z.string().max(Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 4), receipt_id: receiptId }),
  z.strictObject({ image_url: z.url({ protocol: /^https?$/ }).max(2_000), receipt_id: receiptId }),
]);

/** A receipt as the tools see it: OCR words already made, or an image to read. */
export type ReceiptInput = { words: ReceiptWord[] } | { image: ReceiptImage } | { image_url: string };

/** A parsed receipt input as the JSON it was given in: what a run stores and parses again. */
export function storedReceiptInput(input: ReceiptInput): Record<string, unknown> {
  if ('image' in input) return { image_base64: input.image.bytes.toString('base64') };
  return input;
}

/**
 * Checks a receipt input before the run is created: words against their schema, box
 * files line by line, images by their header (type, size, pixels).
 */
export function parseReceiptInput(input: Record<string, unknown>): ReceiptInput {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    throw new UnfoldError(
      'invalid_input',
      `receipt input must be one of {"words": [...]}, {"sroie_boxes": "..."}, {"image_base64": "..."} or {"image_url": "https://..."}: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`,
    );
  }
  const data = parsed.data;
  if ('image_base64' in data) return { image: readReceiptImage(Buffer.from(data.image_base64, 'base64')) };
  if ('image_url' in data) return { image_url: data.image_url };
  const words = 'words' in data ? data.words : wordsFromSroieBoxes(data.sroie_boxes);
  if (!words.some((word) => word.text.trim() !== '')) throw new UnfoldError('no_text_found', 'the receipt has no text');
  return { words };
}

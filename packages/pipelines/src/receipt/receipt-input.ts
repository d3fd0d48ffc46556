import { UnfoldError } from '@unfold/protocol';
import { z } from 'zod';
import type { OcrInput } from './ocr-extraction.js';
import { MAX_IMAGE_BYTES, readReceiptImage } from './receipt-image.js';
import { MAX_BOX_FILE_CHARS, receiptWordsSchema, wordsFromSroieBoxes } from './receipt-words.js';

const imageBase64 = z.strictObject({ image_base64: z.string().max(Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 4) });
const imageUrl = z.strictObject({ image_url: z.url({ protocol: /^https?$/ }).max(2_000) });

/**
 * Refuses a bad image (`invalid_image`, `image_too_large`) from its header before the run
 * exists, and keeps it as canonical base64: what the run stores and parses back to itself.
 */
function checkedImage(input: { image_base64: string } | { image_url: string }): { image_base64: string } | { image_url: string } {
  if ('image_url' in input) return { image_url: input.image_url };
  return { image_base64: readReceiptImage(Buffer.from(input.image_base64, 'base64')).bytes.toString('base64') };
}

/** A JPEG or PNG photo, `{"image_base64": "..."}` or `{"image_url": "https://..."}`: the input of a pipeline that starts with `createOcrTool()`. */
export const imageInputSchema = z.union([imageBase64, imageUrl], { error: 'Invalid input: an image is {"image_base64": "..."} or {"image_url": "https://..."}' }).transform(checkedImage);

const receiptId = { receipt_id: z.string().max(200).optional() };

/**
 * A receipt: OCR words, an SROIE box file, or an image. Words and box files become words
 * checked line by line; `receipt_id` is accepted and dropped (an event's
 * `receipt_id` comes from the run's metadata, which the seed route sets). The output is what
 * the tools read and the run stores.
 */
export const receiptInputSchema = z
  .union(
    [
      z.strictObject({ words: receiptWordsSchema, ...receiptId }),
      z.strictObject({ sroie_boxes: z.string().max(MAX_BOX_FILE_CHARS), ...receiptId }),
      imageBase64.extend(receiptId),
      imageUrl.extend(receiptId),
    ],
    { error: 'Invalid input: a receipt is one of {"words": [...]}, {"sroie_boxes": "..."}, {"image_base64": "..."} or {"image_url": "https://..."}' },
  )
  .transform((input): OcrInput => {
    if (!('words' in input) && !('sroie_boxes' in input)) return checkedImage(input);
    const words = 'words' in input ? input.words : wordsFromSroieBoxes(input.sroie_boxes);
    if (!words.some((word) => word.text.trim() !== '')) throw new UnfoldError('no_text_found', 'the receipt has no text');
    return { words };
  });

/** A receipt as the tools see it: OCR words already made, or an image to read. */
export type ReceiptInput = z.output<typeof receiptInputSchema>;

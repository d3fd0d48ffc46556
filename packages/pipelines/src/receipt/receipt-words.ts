import { UnfoldError } from '@unfold/protocol';
import { z } from 'zod';

/** One OCR word, in the shape of the original system's receipt words. */
export const receiptWordSchema = z.object({
  word_id: z.number().int().nonnegative(),
  line_id: z.number().int().nonnegative(),
  text: z.string().max(500),
  bounding_box: z.object({ x: z.number(), y: z.number(), width: z.number().nonnegative(), height: z.number().nonnegative() }),
  confidence: z.number().min(0).max(1).default(1),
});
export type ReceiptWord = z.output<typeof receiptWordSchema>;

export const receiptWordsSchema = z.array(receiptWordSchema).max(20_000);

/** Largest SROIE box file accepted, in characters. */
export const MAX_BOX_FILE_CHARS = 1_000_000;

/**
 * Words from an SROIE box file: `x1,y1,x2,y2,x3,y3,x4,y4,TEXT` a line (TEXT may hold
 * commas). Each box is one OCR line; its words share the box, split by character share.
 */
export function wordsFromSroieBoxes(text: string): ReceiptWord[] {
  if (text.length > MAX_BOX_FILE_CHARS) throw new UnfoldError('invalid_input', `box file is over ${MAX_BOX_FILE_CHARS} characters`);
  const words: ReceiptWord[] = [];
  let lineId = 0;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    if (raw.trim() === '') continue;
    const parts = raw.split(',');
    const coordinates = parts.slice(0, 8).map(Number);
    const content = parts.slice(8).join(',').trim();
    if (parts.length < 9 || coordinates.some((value) => !Number.isFinite(value))) {
      throw new UnfoldError('invalid_input', `box file line ${index + 1} is not "x1,y1,…,y4,TEXT"`);
    }
    if (content === '') continue;
    const xs = [0, 2, 4, 6].map((at) => coordinates[at] as number);
    const ys = [1, 3, 5, 7].map((at) => coordinates[at] as number);
    const left = Math.min(...xs);
    const top = Math.min(...ys);
    const width = Math.max(...xs) - left;
    const height = Math.max(...ys) - top;
    const tokens = content.split(/\s+/);
    const totalChars = content.length;
    let offset = 0;
    for (const token of tokens) {
      const start = content.indexOf(token, offset);
      offset = start + token.length;
      words.push({
        word_id: words.length,
        line_id: lineId,
        text: token,
        bounding_box: { x: left + (width * start) / totalChars, y: top, width: (width * token.length) / totalChars, height },
        confidence: 1,
      });
    }
    lineId++;
  }
  return words;
}

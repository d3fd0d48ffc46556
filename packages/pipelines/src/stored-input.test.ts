import { readFile } from 'node:fs/promises';
import { demoPipeline, type AnyPipeline } from '@unfold/engine';
import { describe, expect, it } from 'vitest';
import { createEmailPipeline } from './email/email-pipeline.js';
import { receiptPipeline } from './receipt/receipt-pipeline.js';

const RECEIPT = new URL('../fixtures/receipt.png', import.meta.url);
const box = (y: number, text: string) => `10,${y},200,${y},200,${y + 18},10,${y + 18},${text}`;

/** What a run stores is JSON, and parsing it again when the run executes gives the same input. */
describe('stored input round trip', () => {
  const stored = (pipeline: AnyPipeline, parsed: unknown): Record<string, unknown> => (pipeline.storedInput ? pipeline.storedInput(parsed) : (parsed as Record<string, unknown>));

  it.each([
    ['demo', demoPipeline, { pace: 0, fail_tool: 'validate' }],
    ['email', createEmailPipeline(), { subject: 'Quote', body: 'Hello', attachments: [{ filename: 'a.txt', content_base64: 'aGk=' }] }],
    ['email (raw)', createEmailPipeline(), { raw: 'Subject: Hi\r\n\r\nHello' }],
    ['receipt (words)', receiptPipeline, { words: [{ word_id: 0, line_id: 0, text: 'TOTAL', bounding_box: { x: 1, y: 2, width: 3, height: 4 }, extra: true }], receipt_id: 'r' }],
    ['receipt (boxes)', receiptPipeline, { sroie_boxes: [box(10, 'SHOP'), box(40, 'TOTAL 8.00')].join('\n') }],
    ['receipt (url)', receiptPipeline, { image_url: 'https://example.com/r.png' }],
  ] as Array<[string, AnyPipeline, Record<string, unknown>]>)('%s', (_name, pipeline, input) => {
    const parsed: unknown = pipeline.parseInput(input);
    const json = JSON.parse(JSON.stringify(stored(pipeline, parsed))) as Record<string, unknown>;
    expect(pipeline.parseInput(json)).toEqual(parsed);
  });

  it('receipt (image): stores the image as base64 and reads the same image back', async () => {
    const png = await readFile(RECEIPT);
    const parsed: unknown = receiptPipeline.parseInput({ image_base64: png.toString('base64') });
    const json = JSON.parse(JSON.stringify(stored(receiptPipeline, parsed))) as Record<string, unknown>;
    expect(json).toEqual({ image_base64: png.toString('base64') });
    expect(receiptPipeline.parseInput(json)).toEqual(parsed);
  });
});

import { readFile } from 'node:fs/promises';
import { randomInt, randomPick } from './chance.js';

export interface RunRequest {
  /** What the report calls it. */
  kind: 'demo' | 'receipt-words' | 'receipt-image' | 'email' | 'burst';
  body: { pipeline: string; input: Record<string, unknown> };
}

const RECEIPT_IMAGE = new URL('../../../pipelines/fixtures/receipt.png', import.meta.url);
const EMAIL = new URL('../../../integration-tests/fixtures/intake.eml', import.meta.url);

const SHOPS = ['HILLTOP BAKERY', 'RIVERSIDE MART', 'ORCHID STATIONERY', 'BLUE DOOR NOODLE HOUSE'];
const ITEMS = ['BREAD', 'MILK 1L', 'NOTEBOOK A5', 'PEN BLACK', 'FRIED NOODLES', 'ICED TEA', 'EGGS 10'];

/** OCR words of a made-up receipt: a shop, a date, a few priced lines and their total. */
function receiptWords(): Array<Record<string, unknown>> {
  const lines: Array<[string, string?]> = [[randomPick(SHOPS)], [`DATE: ${String(randomInt(1, 28)).padStart(2, '0')}/0${randomInt(1, 9)}/2024`]];
  let total = 0;
  for (let item = randomInt(1, 5); item > 0; item--) {
    const price = randomInt(100, 5_000) / 100;
    total += price;
    lines.push([randomPick(ITEMS), price.toFixed(2)]);
  }
  lines.push(['TOTAL', total.toFixed(2)]);
  const words: Array<Record<string, unknown>> = [];
  lines.forEach(([label, amount], line) => {
    const y = 20 + line * 24;
    label.split(' ').forEach((text, index) => words.push({ word_id: words.length, line_id: line, text, bounding_box: { x: 20 + index * 70, y, width: text.length * 9, height: 18 } }));
    if (amount) words.push({ word_id: words.length, line_id: line, text: amount, bounding_box: { x: 320, y, width: amount.length * 9, height: 18 } });
  });
  return words;
}

/**
 * The soak's runs: the demo (sometimes failing a tool on purpose), receipts from OCR words
 * and, at most one at a time, from a real image through OCR, emails through the rules
 * extractor, and now and then a burst of large events that a stalled client cannot keep
 * up with (the server cuts it off; it resumes).
 */
export async function runInputs(): Promise<{ next(imageAllowed: boolean): RunRequest }> {
  const image_base64 = (await readFile(RECEIPT_IMAGE)).toString('base64');
  const raw = await readFile(EMAIL, 'utf8');
  return {
    next(imageAllowed) {
      const roll = Math.random();
      if (imageAllowed && roll < 0.2) return { kind: 'receipt-image', body: { pipeline: 'receipt', input: { image_base64 } } };
      if (roll < 0.4) {
        const input: Record<string, unknown> = { pace: randomInt(2, 10) / 10 };
        if (Math.random() < 0.1) input['fail_tool'] = 'validate';
        if (Math.random() < 0.1) input['flaky'] = true;
        return { kind: 'demo', body: { pipeline: 'demo', input } };
      }
      if (roll < 0.65) return { kind: 'receipt-words', body: { pipeline: 'receipt', input: { words: receiptWords() } } };
      if (roll < 0.95) return { kind: 'email', body: { pipeline: 'email', input: { raw } } };
      // 16 MB: more than the loopback socket's buffers and the server's send buffer hold.
      return { kind: 'burst', body: { pipeline: 'burst', input: { events: 4_000, size: 4_096 } } };
    },
  };
}

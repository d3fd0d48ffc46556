import { readFile } from 'node:fs/promises';
import { UnfoldError } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { OcrPool } from './ocr-pool.js';

const RECEIPT = new URL('../../fixtures/receipt.png', import.meta.url);

describe('OCR pool', () => {
  it('refuses a job queued when the pool closes, and never hands it a terminated worker', async () => {
    const pool = new OcrPool(1);
    const outcome = pool.recognize(await readFile(RECEIPT), () => undefined).catch((error: unknown) => error);
    // Closed while its worker is still loading the model: the server stopping mid-run.
    await pool.close();
    expect(UnfoldError.isInstance(await outcome) && ((await outcome) as UnfoldError).code).toBe('cancelled');
  });
});

import { readFile } from 'node:fs/promises';
import type { Worker as NodeWorker } from 'node:worker_threads';
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

  it('fails the job of a worker whose thread dies, and reads the next job on a fresh worker', async () => {
    const pool = new OcrPool(1);
    const image = await readFile(RECEIPT);
    // The pool's one thread, stopped from outside mid-read: what a crash in the model looks like.
    const threadOf = () => [...(pool as unknown as { live: Set<{ worker: { worker: NodeWorker } }> }).live][0]?.worker.worker;
    let killed = false;
    const outcome = pool
      .recognize(image, () => {
        if (killed) return;
        killed = true;
        void threadOf()?.terminate();
      })
      .catch((error: unknown) => error);
    expect(UnfoldError.isInstance(await outcome) && ((await outcome) as UnfoldError).code).toBe('invalid_image');
    expect(pool.workerCount).toBe(0);
    expect((await pool.recognize(image, () => undefined)).length).toBeGreaterThan(10);
    expect(pool.workerCount).toBe(1);
    await pool.close();
  });

  it('gives up a job whose signal aborts, taking its busy worker along, and reads the next job on a fresh worker', async () => {
    const pool = new OcrPool(1);
    const image = await readFile(RECEIPT);
    const controller = new AbortController();
    // Aborted mid-read, as the tool's deadline does to a receipt that takes too long.
    const outcome = pool.recognize(image, () => controller.abort(new UnfoldError('tool_timeout', 'too slow')), controller.signal).catch((error: unknown) => error);
    expect(UnfoldError.isInstance(await outcome) && ((await outcome) as UnfoldError).code).toBe('tool_timeout');
    expect(pool.workerCount).toBe(0);
    expect((await pool.recognize(image, () => undefined)).length).toBeGreaterThan(10);
    expect(pool.workerCount).toBe(1);
    await pool.close();
  });
});

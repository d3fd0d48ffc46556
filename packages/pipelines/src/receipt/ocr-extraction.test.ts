import { readFile } from 'node:fs/promises';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { deflateSync } from 'node:zlib';
import { runInMemory } from '@unfold/engine';
import { UnfoldError, type UnfoldEvent } from '@unfold/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { OcrPool } from '../ocr/ocr-pool.js';
import { createReceiptPipeline } from './receipt-pipeline.js';
import { MAX_IMAGE_PIXELS, readReceiptImage } from './receipt-image.js';

const fixture = new URL('../../fixtures/receipt.png', import.meta.url);
const pipeline = createReceiptPipeline({ ocrWorkers: 1 });
afterAll(async () => pipeline.close?.());

/** A PNG header claiming the given size, with a tiny (invalid) body. */
function pngHeader(width: number, height: number): Buffer {
  const header = Buffer.alloc(33);
  header.writeUInt32BE(0x89504e47, 0);
  header.writeUInt32BE(0x0d0a1a0a, 4);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'ascii');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  return Buffer.concat([header, deflateSync(Buffer.alloc(8))]);
}

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return UnfoldError.isInstance(error) ? error.code : 'not an UnfoldError';
  }
  return undefined;
};

describe('receipt images', () => {
  it('refuses empty, foreign, damaged and oversized images up front with distinct codes', () => {
    expect(codeOf(() => readReceiptImage(Buffer.alloc(0)))).toBe('invalid_image');
    expect(codeOf(() => readReceiptImage(Buffer.from('%PDF-1.7 not an image')))).toBe('invalid_image');
    expect(codeOf(() => readReceiptImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0])))).toBe('invalid_image');
    expect(codeOf(() => readReceiptImage(pngHeader(10_000, 5_000)))).toBe('image_too_large');
    expect(50_000_000).toBeGreaterThan(MAX_IMAGE_PIXELS);
    expect(readReceiptImage(pngHeader(640, 480))).toMatchObject({ type: 'image/png', width: 640, height: 480 });
    expect(codeOf(() => pipeline.parseInput({ image_base64: Buffer.from('hello').toString('base64') }))).toBe('invalid_image');
  });
});

describe('ocr_extraction', () => {
  it('reads a rendered receipt with the embedded model, reporting progress, and the pipeline labels it', async () => {
    const { store, outcome } = await runInMemory(pipeline, { image_base64: (await readFile(fixture)).toString('base64') }, { runId: 'ocr' });
    const events: UnfoldEvent[] = await store.events.read('ocr', 0, 1_000);
    const progress = events.filter((event) => event.event_type === 'tool_progress' && event.tool_name === 'ocr_extraction').map((event) => (event as { progress: number }).progress);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    expect(outcome.status).toBe('completed');
    expect((outcome.terminal as { result: Record<string, unknown> }).result).toMatchObject({
      merchant_name: 'GREEN LEAF CAFE SDN BHD',
      date: '14/08/2019',
      total: '27.98',
      validation: { status: 'valid' },
    });
  });

  it('fails a run whose image has no text with no_text_found', async () => {
    const canvas = createCanvas(200, 200);
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, 200, 200);
    const blank = canvas.toBuffer('image/png');
    const { outcome } = await runInMemory(pipeline, { image_base64: blank.toString('base64') });
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_failed', code: 'no_text_found', tool_name: 'ocr_extraction' });
  });
});

/** The fixture receipt re-encoded as a JPEG: a real photo-like file to damage. */
async function receiptJpeg(): Promise<Buffer> {
  const image = await loadImage(await readFile(fixture));
  const canvas = createCanvas(image.width, image.height);
  canvas.getContext('2d').drawImage(image, 0, 0);
  return canvas.toBuffer('image/jpeg');
}

/** The fixture PNG with the middle of its first IDAT chunk overwritten (the CRC no longer matches). */
async function corruptIdatPng(): Promise<Buffer> {
  const png = Buffer.from(await readFile(fixture));
  const idat = png.indexOf('IDAT', 8, 'ascii');
  const length = png.readUInt32BE(idat - 4);
  png.fill(0xa5, idat + 4 + Math.floor(length / 4), idat + 4 + Math.floor(length / 2));
  return png;
}

/** Headers that promise a 1×1 image, followed by bytes that are no image at all. */
function oneByOneGarbage(): Buffer[] {
  const garbage = Buffer.from(Array.from({ length: 2_000 }, (_, index) => (index * 7919) % 251));
  const jpegFrame = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00]);
  return [Buffer.concat([pngHeader(1, 1), garbage]), Buffer.concat([jpegFrame, garbage])];
}

describe('choosing the OCR engine', () => {
  it('reads with Tesseract when configured so, and with an engine of the caller\'s own, which the pipeline leaves open', async () => {
    const image = (await readFile(fixture)).toString('base64');
    const tesseract = createReceiptPipeline({ ocrEngine: 'tesseract', ocrWorkers: 1 });
    const own = new OcrPool(1);
    const given = createReceiptPipeline({ ocrEngine: own });
    try {
      for (const configured of [tesseract, given]) {
        const { outcome } = await runInMemory(configured, { image_base64: image });
        expect(outcome.terminal).toMatchObject({ event_type: 'processing_completed', result: { merchant_name: 'GREEN LEAF CAFE SDN BHD', total: '27.98' } });
      }
      await given.close?.();
      expect(own.workerCount).toBe(1);
    } finally {
      await Promise.all([tesseract.close?.(), own.close()]);
    }
  });
});

describe('damaged images reaching OCR', () => {
  it('fail their run with invalid_image, and the engine reads the next receipt', async () => {
    const truncated = (await receiptJpeg()).subarray(0, 3 * 1024);
    for (const image of [truncated, await corruptIdatPng(), ...oneByOneGarbage()]) {
      const { outcome } = await runInMemory(pipeline, { image_base64: image.toString('base64') });
      expect(outcome.terminal).toMatchObject({ event_type: 'processing_failed', code: 'invalid_image', tool_name: 'ocr_extraction' });
    }
    const { outcome } = await runInMemory(pipeline, { image_base64: (await receiptJpeg()).toString('base64') });
    expect(outcome.terminal).toMatchObject({ event_type: 'processing_completed', result: { total: '27.98' } });
  });
});

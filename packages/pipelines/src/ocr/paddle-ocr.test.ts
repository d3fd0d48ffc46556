import { readFile } from 'node:fs/promises';
import { UnfoldError } from '@unfold/protocol';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { PaddleOcr } from './paddle-ocr.js';

const RECEIPT = new URL('../../fixtures/receipt.png', import.meta.url);
const engine = new PaddleOcr();
afterAll(() => engine.close());

const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe('PaddleOCR engine', () => {
  it('reads the rendered receipt into words with boxes, a price on its item\'s line, reporting progress up to done', async () => {
    const progress: number[] = [];
    const words = await engine.recognize(await readFile(RECEIPT), (value) => progress.push(value));
    const texts = words.map((word) => word.text);
    expect(texts).toEqual(expect.arrayContaining(['GREEN', 'LEAF', 'CAFE', 'TOTAL', '27.98', '14/08/2019']));
    const total = words.find((word) => word.text === 'TOTAL');
    const amount = words.find((word) => word.text === '27.98');
    expect(amount?.line_id).toBe(total?.line_id);
    expect(amount!.bounding_box.x).toBeGreaterThan(total!.bounding_box.x + total!.bounding_box.width);
    expect(words.map((word) => word.word_id)).toEqual(words.map((_, index) => index));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
  });

  it('reads a phone photo stored on its side with an EXIF orientation upright, its boxes in the upright image', async () => {
    const upright = await readFile(RECEIPT);
    const { width } = await sharp(upright).metadata();
    // Pixels turned a quarter, the tag saying to turn them back: what many phones save.
    const sideways = await sharp(upright).rotate(-90).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const words = await engine.recognize(sideways, () => undefined);
    expect(words.map((word) => word.text)).toEqual(expect.arrayContaining(['TOTAL', '27.98']));
    expect(Math.max(...words.map((word) => word.bounding_box.x + word.bounding_box.width))).toBeLessThanOrEqual(width! + 2);
  });

  it('reads black print on a transparent background and a grey-scale JPEG', async () => {
    const receipt = await readFile(RECEIPT);
    const { data, info } = await sharp(receipt).grayscale().raw().toBuffer({ resolveWithObject: true });
    // Ink as opacity, no colour: a transparent PNG as a scanner app or a screenshot may save it.
    const ink = Buffer.alloc(info.width * info.height * 4);
    data.forEach((grey, pixel) => (ink[4 * pixel + 3] = 255 - grey));
    const transparent = await sharp(ink, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toBuffer();
    const grey = await sharp(receipt).grayscale().jpeg().toBuffer();
    for (const image of [transparent, grey]) expect((await engine.recognize(image, () => undefined)).map((word) => word.text)).toEqual(expect.arrayContaining(['TOTAL', '27.98']));
  });

  it('gives up a job whose signal aborts with the signal\'s reason, and refuses a damaged image as invalid_image', async () => {
    const controller = new AbortController();
    const aborted = errorOf(engine.recognize(await readFile(RECEIPT), () => controller.abort(new UnfoldError('tool_timeout', 'too slow')), controller.signal));
    expect(await aborted).toMatchObject({ code: 'tool_timeout' });
    const png = await readFile(RECEIPT);
    expect(await errorOf(engine.recognize(png.subarray(0, 2_000), () => undefined))).toMatchObject({ code: 'invalid_image' });
  });

  it('refuses work once closed', async () => {
    const closed = new PaddleOcr();
    await closed.close();
    expect(await errorOf(closed.recognize(await readFile(RECEIPT), () => undefined))).toMatchObject({ code: 'cancelled' });
  });
});

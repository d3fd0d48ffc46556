import { readFile } from 'node:fs/promises';
import { createCanvas } from '@napi-rs/canvas';
import fc from 'fast-check';
import type { FuzzRequest } from './http-arbitraries.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_START = [0xff, 0xd8, 0xff, 0xe0];

/** Small real images to cut short: a drawn JPEG and PNG (kept tiny so OCR stays cheap) and the pipelines' receipt photo. */
export async function realImages(): Promise<Array<{ type: 'image/png' | 'image/jpeg'; bytes: Uint8Array }>> {
  const canvas = createCanvas(120, 40);
  const context = canvas.getContext('2d');
  context.fillStyle = 'white';
  context.fillRect(0, 0, 120, 40);
  context.fillStyle = 'black';
  context.font = '16px sans-serif';
  context.fillText('TOTAL 9.99', 6, 26);
  const photo = await readFile(new URL('../../../pipelines/fixtures/receipt.png', import.meta.url));
  return [
    { type: 'image/jpeg', bytes: new Uint8Array(await canvas.encode('jpeg', 60)) },
    { type: 'image/png', bytes: new Uint8Array(await canvas.encode('png')) },
    { type: 'image/png', bytes: new Uint8Array(photo) },
  ];
}

/**
 * Uploads of image bytes: random bytes behind a JPEG or PNG header, and real images
 * truncated anywhere or with bytes flipped, as raw bodies and as `image_base64`.
 */
export function imageRequestArb(images: Awaited<ReturnType<typeof realImages>>): fc.Arbitrary<FuzzRequest> {
  const randomWithHeader = fc
    .tuple(fc.constantFrom(['image/png', PNG_SIGNATURE] as const, ['image/jpeg', JPEG_START] as const), fc.uint8Array({ maxLength: 400 }))
    .map(([[type, header], rest]) => ({ type, bytes: new Uint8Array([...header, ...rest]) }));
  const damaged = fc
    .tuple(fc.constantFrom(...images), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }))
    .map(([image, keep, flips]) => {
      const bytes = image.bytes.slice(0, Math.max(1, Math.floor(image.bytes.length * keep)));
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      return { type: image.type, bytes };
    });
  return fc.tuple(fc.oneof(randomWithHeader, damaged), fc.boolean()).map(([image, asJson]): FuzzRequest =>
    asJson
      ? { method: 'POST', path: '/v1/runs', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'receipt', input: { image_base64: Buffer.from(image.bytes).toString('base64') } }) }
      : { method: 'POST', path: '/v1/runs?pipeline=receipt', headers: { 'content-type': image.type }, body: image.bytes },
  );
}

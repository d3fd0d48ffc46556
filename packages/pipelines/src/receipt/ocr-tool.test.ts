import { readFile } from 'node:fs/promises';
import { definePipeline, runPipeline } from '@unfold/engine';
import { UnfoldError } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOcrTool } from './ocr-extraction.js';
import { imageInputSchema } from './receipt-input.js';

const fixture = new URL('../../fixtures/receipt.png', import.meta.url);

/** The OCR step as a user's pipeline reuses it: its own input schema, the tool alone. */
describe('createOcrTool', () => {
  it('reads the words off an image in a pipeline of its own', async () => {
    const ocr = createOcrTool({ ocrWorkers: 1 });
    const pipeline = definePipeline({ name: 'words', description: 'image → words', input: imageInputSchema, steps: [ocr], close: () => ocr.close() });
    try {
      const run = await runPipeline(pipeline, { image_base64: (await readFile(fixture)).toString('base64') });
      expect(run.status).toBe('completed');
      expect(run.result?.map((word) => word.text)).toContain('TOTAL');
    } finally {
      await pipeline.close?.();
    }
  });

  it('fails its run with invalid_input when the pipeline input has no image', async () => {
    const pipeline = definePipeline({ name: 'no-image', description: 'nothing to read', input: z.object({}), steps: [createOcrTool()] });
    const run = await runPipeline(pipeline, {});
    expect(run.error).toMatchObject({ code: 'invalid_input' });
  });
});

describe('imageInputSchema', () => {
  it('refuses a file that is not an image before a run exists, and parses what it gives back to itself', async () => {
    const refusal = (() => {
      try {
        return imageInputSchema.parse({ image_base64: Buffer.from('hello').toString('base64') });
      } catch (error) {
        return error;
      }
    })();
    expect(UnfoldError.isInstance(refusal) && refusal.code).toBe('invalid_image');
    const base64 = (await readFile(fixture)).toString('base64');
    // Wrapped at 76 characters, as `base64` prints it: stored canonical, the same image.
    const parsed = imageInputSchema.parse({ image_base64: base64.replace(/(.{76})/g, '$1\n') });
    expect(parsed).toEqual({ image_base64: base64 });
    expect(imageInputSchema.parse(parsed)).toEqual(parsed);
    expect(imageInputSchema.parse({ image_url: 'https://example.com/i.png' })).toEqual({ image_url: 'https://example.com/i.png' });
  });
});

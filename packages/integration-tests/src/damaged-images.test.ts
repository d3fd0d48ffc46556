import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, parseNdjson, postJson, readStream, stored } from './raw-clients.js';
import { UNFOLD_BIN } from './faults/spawn-server.js';
import { useTestServer } from './test-server.js';

const fixture = new URL('../../pipelines/fixtures/receipt.png', import.meta.url);

/** The fixture receipt as a JPEG cut off at 3 KB, as an interrupted upload leaves it. */
async function truncatedJpeg(): Promise<Buffer> {
  const image = await loadImage(await readFile(fixture));
  const canvas = createCanvas(image.width, image.height);
  canvas.getContext('2d').drawImage(image, 0, 0);
  return canvas.toBuffer('image/jpeg').subarray(0, 3 * 1024);
}

describe('a truncated JPEG', () => {
  const server = useTestServer();
  let jpeg: Buffer;
  let directory: string;
  beforeAll(async () => {
    jpeg = await truncatedJpeg();
    directory = await mkdtemp(join(tmpdir(), 'unfold-damaged-'));
  });
  afterAll(async () => rm(directory, { recursive: true, force: true }));

  const terminalOf = async (runId: string) => stored(parseNdjson((await readStream(`${server().url}/v1/runs/${runId}/events`, 'application/x-ndjson')).text)).at(-1);

  it('fails its run with invalid_image, raw or as base64, and the next receipt is read', async () => {
    const raw = await fetch(`${server().url}/v1/runs?pipeline=receipt`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(jpeg) });
    expect(raw.status).toBe(201);
    const base64 = await postJson(`${server().url}/v1/runs`, { pipeline: 'receipt', input: { image_base64: jpeg.toString('base64') } });
    for (const runId of [((await raw.json()) as { run_id: string }).run_id, base64.body['run_id'] as string]) {
      expect(await terminalOf(runId)).toMatchObject({ event_type: 'processing_failed', code: 'invalid_image', tool_name: 'ocr_extraction' });
    }
    const good = await postJson(`${server().url}/v1/runs`, { pipeline: 'receipt', input: { image_base64: (await readFile(fixture)).toString('base64') } });
    expect(await terminalOf(good.body['run_id'] as string)).toMatchObject({ event_type: 'processing_completed', result: { total: '27.98' } });
    expect((await getJson(`${server().url}/readyz`)).status).toBe(200);
  });

  it('ends `unfold run receipt` with the coded failure and exit code 1', async () => {
    const file = join(directory, 'cut.jpg');
    await writeFile(file, jpeg);
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [UNFOLD_BIN, 'run', 'receipt', file], { env: { ...process.env, UNFOLD_DATA_DIR: directory, UNFOLD_URL: server().url } });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ event_type: 'processing_failed', code: 'invalid_image' });
  });
});

import { readFile } from 'node:fs/promises';
import { createClient } from '@unfold/client/node';
import { describe, expect, it } from 'vitest';
import { getJson, postJson } from './raw-clients.js';
import { useTestServer } from './test-server.js';

const fixture = new URL('../../pipelines/fixtures/receipt.png', import.meta.url);

/** A PNG header claiming 10,000 × 5,000 pixels (50 MP). */
function hugePngHeader(): Buffer {
  const header = Buffer.alloc(40);
  header.writeUInt32BE(0x89504e47, 0);
  header.writeUInt32BE(0x0d0a1a0a, 4);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'ascii');
  header.writeUInt32BE(10_000, 16);
  header.writeUInt32BE(5_000, 20);
  return header;
}

describe('receipt runs over HTTP', () => {
  const server = useTestServer();
  const runCount = async () => ((await getJson(`${server().url}/v1/runs?limit=200`)).body['runs'] as unknown[]).length;

  it('labels an uploaded photo end to end through OCR, streamed live', async () => {
    const runId = `upload-${Date.now()}`;
    const client = createClient({ baseUrl: server().url });
    const stream = client.watch(runId);
    const tools: string[] = [];
    stream.on('tool_completed', (event) => tools.push(event.tool_name));
    const response = await fetch(`${server().url}/v1/runs?pipeline=receipt&run_id=${runId}`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(await readFile(fixture)) });
    expect(response.status).toBe(201);
    const terminal = await stream.done;
    expect(tools).toEqual(['ocr_extraction', 'structure_analysis', 'field_labeling', 'line_item_extraction', 'validation']);
    expect(terminal).toMatchObject({ event_type: 'processing_completed', result: { merchant_name: 'GREEN LEAF CAFE SDN BHD', total: '27.98' } });
  });

  it.each([
    ['a file that is not an image', { 'content-type': 'image/png' }, Buffer.from('%PDF-1.7'), 422, 'invalid_image'],
    ['an empty image', { 'content-type': 'image/jpeg' }, Buffer.alloc(0), 422, 'invalid_image'],
    ['a 50-megapixel image', { 'content-type': 'image/png' }, hugePngHeader(), 413, 'image_too_large'],
  ])('refuses %s up front without creating a run', async (_name, headers, body, status, code) => {
    const before = await runCount();
    const response = await fetch(`${server().url}/v1/runs?pipeline=receipt`, { method: 'POST', headers, body: new Uint8Array(body) });
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { code: string; message: string };
    if (code) expect(answer.code).toBe(code);
    expect(answer.message.length).toBeGreaterThan(5);
    expect(await runCount()).toBe(before);
  });

  it('refuses words that do not match the schema and a receipt with no text', async () => {
    const badWords = await postJson(`${server().url}/v1/runs`, { pipeline: 'receipt', input: { words: [{ text: 'TOTAL' }] } });
    expect(badWords.status).toBe(422);
    expect(badWords.body['code']).toBe('invalid_input');
    const noText = await postJson(`${server().url}/v1/runs`, { pipeline: 'receipt', input: { words: [] } });
    expect(noText.body['code']).toBe('no_text_found');
  });

  it('runs the receipt pipeline from seed 000 route when the request carries the image', async () => {
    const receiptId = `seed-image-${Date.now()}`;
    const response = await postJson(`${server().url}/api/label-receipt/${receiptId}`, { image_base64: (await readFile(fixture)).toString('base64') });
    expect(response.status).toBe(200);
    const client = createClient({ baseUrl: server().url });
    const terminal = await client.watch(receiptId).done;
    expect(terminal).toMatchObject({ event_type: 'processing_completed', pipeline: 'receipt', receipt_id: receiptId, result: { date: '14/08/2019' } });
  });
});

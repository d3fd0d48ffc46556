import { describe, expect, it } from 'vitest';
import { postJson } from './raw-clients.js';
import { useTestServer } from './test-server.js';

/** `{"a":{"a":…}}`, `levels` objects deep: well within the JSON depth limit, but not receipt data. */
function nested(levels: number): unknown {
  let value: Record<string, unknown> = { end: true };
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

const word = (word_id: number, text: string) => ({ word_id, line_id: 0, text, bounding_box: { x: word_id * 50, y: 10, width: 40, height: 12 } });

/** A run stores the input its pipeline validated, not the request body it came in. */
describe('stored input', () => {
  const server = useTestServer();
  const storedInput = async (runId: string) => (await server().server.context.store.runs.get(runId))?.input;

  it('drops what receipt validation drops: extra keys on a word and its box', async () => {
    const smuggled = { ...word(0, 'TOTAL'), extra: nested(40), bounding_box: { ...word(0, '').bounding_box, hidden: nested(20) } };
    const created = await postJson(`${server().url}/v1/runs`, { pipeline: 'receipt', input: { words: [smuggled, word(1, '9.99')], receipt_id: 'r-1' }, run_id: 'smuggled-words' });
    expect(created.status).toBe(201);
    expect(await storedInput('smuggled-words')).toEqual({ words: [{ ...word(0, 'TOTAL'), confidence: 1 }, { ...word(1, '9.99'), confidence: 1 }] });
  });

  it('stores the same validated form for the seed route', async () => {
    const answer = await postJson(`${server().url}/api/label-receipt/seed-smuggled`, { words: [{ ...word(0, 'CASH'), extra: nested(30) }] });
    expect(answer.status).toBe(200);
    expect(await storedInput('seed-smuggled')).toEqual({ words: [{ ...word(0, 'CASH'), confidence: 1 }] });
  });

  it('stores email input with its defaults applied', async () => {
    expect((await postJson(`${server().url}/v1/runs`, { pipeline: 'email', input: { body: 'Please call me back.' }, run_id: 'plain-email' })).status).toBe(201);
    expect(await storedInput('plain-email')).toEqual({ sender_name: '', sender_email: '', subject: '', body: 'Please call me back.', attachments: [] });
  });

  it('stores demo input with its defaults applied', async () => {
    expect((await postJson(`${server().url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, run_id: 'demo-defaults' })).status).toBe(201);
    expect(await storedInput('demo-defaults')).toEqual({ pace: 0, flaky: false });
  });
});

import { describe, expect, it } from 'vitest';
import { openSocket, parseNdjson, parseSse } from './raw-clients.js';
import { useTestServer } from './test-server.js';

const KEY = 'test-key-123';
const email = (name: string) => ({
  sender_name: name,
  sender_email: `${name.split(' ')[0]?.toLowerCase()}@northwind-energy.com`,
  subject: 'Data role',
  body: `Hi,\n\nThanks,\n${name}\nLead Data Engineer\nNorthwind Energy Inc.\nHouston, TX\nDirect: (713) 555-0142`,
});
const post = (url: string, body: unknown, key: string | undefined = KEY) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, body: JSON.stringify(body) });

/** Seed 003's add-in and scripts, unchanged, against the real server. */
describe('seed 003 email routes', () => {
  const server = useTestServer({ UNFOLD_API_KEYS: `other-key,${KEY}` });

  it('runs the add-in flow: negotiate with the key, open the returned URL, process_email, {type,data} messages to complete', async () => {
    const negotiated = (await (await fetch(`${server().url}/stream/negotiate`, { headers: { 'x-api-key': KEY } })).json()) as { url: string };
    const socket = openSocket(new URL(negotiated.url, server().wsUrl).toString());
    await socket.opened;
    socket.socket.send(JSON.stringify({ type: 'process_email', data: email('Dana Whitfield') }));
    const complete = await socket.waitFor((frame) => (frame as unknown as { type: string }).type === 'complete');
    const types = socket.frames.map((frame) => (frame as unknown as { type: string }).type);
    expect(types[0]).toBe('connection_established');
    for (const type of ['extraction_start', 'extraction_field', 'research_start', 'research_result', 'validation_start', 'zoho_start', 'zoho_progress', 'zoho_complete']) expect(types).toContain(type);
    const field = socket.frames.find((frame) => (frame as unknown as { type: string }).type === 'extraction_field') as unknown as { data: { field: string; value: string } };
    expect(typeof field.data.field).toBe('string');
    expect(typeof field.data.value).toBe('string');
    const research = socket.frames.find((frame) => (frame as unknown as { type: string }).type === 'research_result') as unknown as { data: { status: string; result: { company_name: string } } };
    expect(research.data.result.company_name).toBe('Northwind Energy');
    expect((complete as unknown as { data: { result: Record<string, unknown> } }).data.result).toMatchObject({
      status: 'success',
      deal_name: 'Lead Data Engineer (Houston) - Northwind Energy Inc.',
      primary_email: 'dana@northwind-energy.com',
      saved_to_db: true,
      saved_to_zoho: false,
      extracted: { candidate_name: 'Dana Whitfield', phone: '+17135550142' },
    });
    // The add-in's socket counts among the open connections while it is open.
    const stats = (await (await fetch(`${server().url}/v1/stats`, { headers: { 'x-api-key': KEY } })).json()) as { streams: { connections: Record<string, number> } };
    expect(stats.streams.connections['websocket-seed']).toBe(1);
    socket.socket.close();
  });

  it('refuses a missing or wrong key with 401 and a code, on every route', async () => {
    expect((await fetch(`${server().url}/stream/negotiate`)).status).toBe(401);
    const wrong = await post(`${server().url}/intake/email`, email('Jo Park'), 'nope');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { code: string }).code).toBe('unauthorized');
    const socket = openSocket(`${server().wsUrl}/stream/ws/email-processing`);
    expect((await socket.closed).code).toBe(4001);
  });

  it('streams SSE, interleaves a batch as NDJSON tagged by index, and answers the plain intake', async () => {
    const sse = parseSse(await (await post(`${server().url}/stream/sse/process-email`, email('Kim Lee'))).text());
    expect(sse.at(-1)?.event).toBe('complete');

    const batch = parseNdjson(await (await post(`${server().url}/stream/batch/process-email`, { emails: [email('Ana Ruiz'), email('Bo Chen')] })).text()) as unknown as Array<{ type: string; index: number }>;
    expect(batch.filter((message) => message.type === 'complete').map((message) => message.index).sort()).toEqual([0, 1]);

    const intake = (await (await post(`${server().url}/intake/email`, email('Eli Stone'))).json()) as Record<string, unknown>;
    expect(intake).toMatchObject({ status: 'success', primary_email: 'eli@northwind-energy.com', saved_to_db: true });
    expect(typeof intake['deal_id']).toBe('string');

    const badBatch = await post(`${server().url}/stream/batch/process-email`, { emails: [email('Ok Name'), { body: 42 }] });
    expect(badBatch.status).toBe(422);
    expect(((await (await fetch(`${server().url}/stream/health`)).json()) as { status: string }).status).toBe('healthy');
  });
});

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CLOSE_CODES } from '@unfold/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey } from './test-keys.js';
import { openHttpStream } from './faults/http-stream-reader.js';
import { getJson, openSocket, postJson } from './raw-clients.js';
import { startTestServer, type TestServer } from './test-server.js';

/**
 * docs/protocol.md, "Limits": per key, refused with 429 `rate_limited` and `Retry-After`
 * (on a WebSocket an error frame, or close 4029 for a connection), and a refusal takes
 * nothing: another key, and the same key once it is under its limit again, are served.
 */
describe('limits per API key', () => {
  let server: TestServer;
  let acme: Record<string, string>;
  let globex: Record<string, string>;
  const log = new PassThrough();
  const lines: string[] = [];
  log.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const audited = (code: string) => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['audit'] === 'refused' && line['code'] === code);

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-limits-'));
    acme = bearer((await createKey(dataDir, 'acme')).key);
    globex = bearer((await createKey(dataDir, 'globex')).key);
    server = await startTestServer({ UNFOLD_LIMIT_RUNS_PER_MINUTE: '4', UNFOLD_LIMIT_CONNECTIONS: '2', UNFOLD_LIMIT_WS_MESSAGES_PER_SECOND: '5' }, { dataDir, logStream: log });
  });
  afterAll(async () => server.cleanup());

  const runCount = async (headers: Record<string, string>) => ((await getJson(`${server.url}/v1/runs?limit=100`, headers)).body['runs'] as unknown[]).length;

  it('refuses runs past the minute\'s allowance with 429 and Retry-After, counts every route that starts runs, refuses a batch whole, and leaves other keys alone', async () => {
    const create = () => fetch(`${server.url}/v1/runs`, { method: 'POST', headers: { ...acme, 'content-type': 'application/json' }, body: JSON.stringify({ pipeline: 'demo', input: { pace: 0 } }) });
    for (let index = 0; index < 2; index++) expect((await create()).status).toBe(201);
    expect((await postJson(`${server.url}/api/label-receipt/limited-receipt`, {}, { 'x-api-key': acme['authorization']!.slice(7) })).status).toBe(200);
    // one run left this minute: a batch of two is refused whole, before any starts
    const email = { subject: 'Quote', body: 'Hello,\nplease send a quote.\n\nJane Doe\nAcme Corp\n+1 415 555 0100', sender: 'jane@acme.example' };
    const batch = await postJson(`${server.url}/stream/batch/process-email`, { emails: [email, email] }, acme);
    expect(batch).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(await runCount(acme)).toBe(3);
    expect((await create()).status).toBe(201);

    const refused = await create();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { code: string; message: string; details: { retry_after_ms: number } };
    expect(body).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('4 runs a minute') });
    expect(Math.ceil(body.details.retry_after_ms / 1000)).toBe(retryAfter);
    expect(await runCount(acme)).toBe(4);
    // each refusal is audited: who, what, why, never the key
    expect(audited('rate_limited')).toContainEqual(expect.objectContaining({ principal: 'key', tenant: 'acme', method: 'POST', route: '/v1/runs' }));
    expect(audited('rate_limited')).toContainEqual(expect.objectContaining({ tenant: 'acme', route: '/stream/batch/process-email' }));
    expect(lines.join('\n')).not.toContain(acme['authorization']!.slice(7));
    // another key has its own allowance
    expect((await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 } }, globex)).status).toBe(201);
  });

  it('refuses a streaming connection past the key\'s open ones — 429 before an SSE answer starts, close 4029 on a WebSocket — and admits one again once another ends', async () => {
    const waiting = (runId: string) => openHttpStream(`${server.url}/v1/runs/${runId}/events`, 'sse', acme);
    const first = waiting('not-yet-1');
    const second = openSocket(`${server.wsUrl}/v1/ws`, { headers: acme });
    await first.response;
    await second.waitFor((frame) => frame.event_type === 'connected');

    const third = await fetch(`${server.url}/v1/runs/not-yet-3/events`, { headers: { ...acme, accept: 'text/event-stream' } });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.json()).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('2 streaming connections') });
    const socket = openSocket(`${server.wsUrl}/v1/runs/not-yet-4/ws`, { headers: acme });
    expect((await socket.closed).code).toBe(CLOSE_CODES.rate_limited);
    expect(socket.frames.at(-1)).toMatchObject({ event_type: 'error', code: 'rate_limited', retry_after_ms: 1_000 });
    expect(audited('rate_limited')).toContainEqual(expect.objectContaining({ tenant: 'acme', route: '/v1/runs/:id/ws' }));
    // another key is not held back by Acme's
    const theirs = openSocket(`${server.wsUrl}/v1/ws`, { headers: globex });
    await theirs.waitFor((frame) => frame.event_type === 'connected');
    theirs.socket.close();

    first.close();
    await first.ended;
    const again = openSocket(`${server.wsUrl}/v1/ws`, { headers: acme });
    await again.waitFor((frame) => frame.event_type === 'connected');
    again.socket.close();
    second.socket.close();
  });

  it('drops WebSocket messages past the per-second limit, says so once, and keeps the socket and the server serving', async () => {
    const socket = openSocket(`${server.wsUrl}/v1/ws`, { headers: globex });
    await socket.waitFor((frame) => frame.event_type === 'connected');
    for (let index = 0; index < 40; index++) socket.socket.send(JSON.stringify({ type: 'ping' }));
    await socket.waitFor((frame) => frame.event_type === 'error');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pongs = socket.frames.filter((frame) => frame.event_type === 'pong').length;
    const errors = socket.frames.filter((frame) => frame.event_type === 'error');
    expect(pongs).toBeLessThanOrEqual(5);
    expect(pongs).toBeGreaterThanOrEqual(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('5 messages a second'), retry_after_ms: expect.any(Number) });
    // the socket is still open, and served again once the second is over
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    socket.socket.send(JSON.stringify({ type: 'ping' }));
    await socket.waitFor((frame) => frame.event_type === 'pong' && socket.frames.indexOf(frame) > socket.frames.indexOf(errors[0]!));
    expect((await getJson(`${server.url}/healthz`)).status).toBe(200);
    socket.socket.close();
  });
});

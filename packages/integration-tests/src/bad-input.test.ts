import { describe, expect, it } from 'vitest';
import { getJson, openSocket, postJson } from './raw-clients.js';
import { useTestServer } from './test-server.js';

/** Each kind of bad input gets a clear 4xx with a stable code, and nothing half-created. */
describe('bad input', () => {
  const server = useTestServer({ UNFOLD_MAX_SUBSCRIPTIONS: '2', UNFOLD_BODY_LIMIT_BYTES: '2048' });

  const runCount = async () => ((await getJson(`${server().url}/v1/runs?limit=200`)).body['runs'] as unknown[]).length;

  it.each([
    ['unknown pipeline', { pipeline: 'nope', input: {} }, 422, 'unknown_pipeline'],
    ['input the pipeline rejects', { pipeline: 'demo', input: { pace: 'fast' } }, 422, 'invalid_input'],
    ['a malformed run id', { pipeline: 'demo', input: {}, run_id: '../etc' }, 400, 'validation_failed'],
    ['an unknown field', { pipeline: 'demo', input: {}, colour: 'red' }, 400, 'validation_failed'],
    ['malformed JSON', '{"pipeline": ', 400, 'invalid_json'],
    ['an oversized body', { pipeline: 'demo', input: { blob: 'x'.repeat(4_000) } }, 413, 'body_too_large'],
  ])('rejects %s without creating a run', async (_name, body, status, code) => {
    const before = await runCount();
    const response = await postJson(`${server().url}/v1/runs`, body);
    expect(response.status).toBe(status);
    expect(response.body['code']).toBe(code);
    expect(typeof response.body['message']).toBe('string');
    expect(await runCount()).toBe(before);
  });

  it('rejects a wrong content type with 415', async () => {
    const response = await fetch(`${server().url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'demo' });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { code: string }).code).toBe('unsupported_media_type');
  });

  it('answers 409 for a taken run id, 404 for an unknown run, 409 for cancelling a finished run', async () => {
    const runId = `taken-${Date.now()}`;
    expect((await postJson(`${server().url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, run_id: runId })).status).toBe(201);
    expect((await postJson(`${server().url}/v1/runs`, { pipeline: 'demo', input: {}, run_id: runId })).body['code']).toBe('run_exists');
    expect((await getJson(`${server().url}/v1/runs/missing-run`)).body).toMatchObject({ code: 'run_not_found' });
    await fetch(`${server().url}/v1/runs/${runId}/events`, { headers: { accept: 'application/x-ndjson' } }).then((response) => response.text());
    expect((await postJson(`${server().url}/v1/runs/${runId}/cancel`, {})).body['code']).toBe('run_finished');
  });

  it.each([
    ['?after=-1', {}],
    ['?after=abc', {}],
    ['', { 'last-event-id': 'x1' }],
    ['?types=not_a_type', {}],
  ])('rejects a bad position or filter %s with invalid_position', async (query, headers) => {
    const response = await getJson(`${server().url}/v1/runs/any-run/events${query}`, { accept: 'application/json', ...headers });
    expect(response.status).toBe(400);
    expect(response.body['code']).toBe('invalid_position');
  });

  it('answers 406 for an Accept it cannot serve and 404 with a code for unknown routes', async () => {
    expect((await getJson(`${server().url}/v1/runs/x/events`, { accept: 'image/png' })).body['code']).toBe('not_acceptable');
    expect((await getJson(`${server().url}/v2/nothing`)).body['code']).toBe('route_not_found');
  });

  it('answers bad WebSocket messages with error frames, enforces the subscription limit, and keeps the socket open', async () => {
    const live = openSocket(`${server().wsUrl}/v1/ws`);
    await live.waitFor((frame) => frame.event_type === 'connected');
    live.socket.send('not json');
    live.socket.send(JSON.stringify({ type: 'dance' }));
    live.socket.send(JSON.stringify({ type: 'subscribe', run_id: '' }));
    for (const runId of ['a1', 'a2', 'a3']) live.socket.send(JSON.stringify({ type: 'subscribe', run_id: runId }));
    live.socket.send(JSON.stringify({ type: 'ping' }));
    await live.waitFor((frame) => frame.event_type === 'pong');
    const codes = live.frames.filter((frame) => frame.event_type === 'error').map((frame) => frame['code']);
    expect(codes).toEqual(['invalid_json', 'unknown_message', 'validation_failed', 'too_many_subscriptions']);
    expect(live.socket.readyState).toBe(live.socket.OPEN);
    live.socket.close();
  });

  it('refuses a stream token for another run', async () => {
    const negotiated = await postJson(`${server().url}/v1/negotiate`, { run_ids: ['mine'] });
    const token = negotiated.body['token'] as string;
    const other = await getJson(`${server().url}/v1/runs/theirs/events?wait=0&token=${token}`, { accept: 'application/json' });
    expect(other.body['code']).toBe('forbidden');
    const forged = await getJson(`${server().url}/v1/runs/mine/events?wait=0&token=${token}x`, { accept: 'application/json' });
    expect(forged.body['code']).toBe('invalid_token');
    const mine = await getJson(`${server().url}/v1/runs/mine/events?wait=0&token=${token}`, { accept: 'application/json' });
    expect(mine.status).toBe(200);
  });
});

import { CLOSE_CODES, ERROR_CODES, MAX_JSON_DEPTH, MAX_RUN_ID_LENGTH, isErrorCode } from '@unfold/protocol';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { getJson, postJson } from './raw-clients.js';
import { httpRequest, rawRequest, type RawAnswer } from './raw-http.js';
import { startTestServer, useTestServer, type TestServer } from './test-server.js';

/** `{"a":{"a":…{}}}`, `levels` objects deep. */
function nested(levels: number): unknown {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

function expectCoded(answer: RawAnswer, status: number, code?: string): void {
  expect(answer.status, answer.body).toBe(status);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  expect(isErrorCode(body['code']), `${String(body['code'])} is a protocol code`).toBe(true);
  expect(ERROR_CODES[body['code'] as keyof typeof ERROR_CODES]).toBe(status);
  if (code) expect(body['code']).toBe(code);
  expect(typeof body['message']).toBe('string');
}

/** Every 4xx/5xx answer is `{"code", "message"}` with a code of the protocol's list. */
describe('error contract', () => {
  const server = useTestServer();
  const runCount = async () => ((await getJson(`${server().url}/v1/runs?limit=200`)).body['runs'] as unknown[]).length;
  const json = { 'Content-Type': 'application/json' };

  it.each([
    ['metadata', (deep: unknown) => ({ pipeline: 'demo', input: {}, metadata: { deep } })],
    ['input', (deep: unknown) => ({ pipeline: 'email', input: { body: 'hello', deep } })],
  ])('refuses %s nested deeper than the JSON depth limit before writing anything', async (_where, request) => {
    const before = await runCount();
    const tooDeep = await postJson(`${server().url}/v1/runs`, request(nested(4_100)));
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body['code']).toBe('json_too_deep');
    const justOver = await postJson(`${server().url}/v1/runs`, request(nested(MAX_JSON_DEPTH)));
    expect(justOver.body['code']).toBe('json_too_deep');
    expect(await runCount()).toBe(before);
  });

  it('accepts metadata as deep as the limit allows', async () => {
    // The request object and `metadata` are two levels, so `deep` may have the rest.
    const created = await postJson(`${server().url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, metadata: { deep: nested(MAX_JSON_DEPTH - 2) } });
    expect(created.status).toBe(201);
  });

  it('refuses a too deep body on the seed routes too', async () => {
    const answer = await postJson(`${server().url}/api/label-receipt/deep-seed`, { words: nested(4_100) });
    expect(answer.body['code']).toBe('json_too_deep');
    expect((await getJson(`${server().url}/v1/runs/deep-seed`)).status).toBe(404);
  });

  it('reads every run id it accepts, and refuses a longer one with a coded 4xx on every route', async () => {
    const longest = `r${'x'.repeat(MAX_RUN_ID_LENGTH - 1)}`;
    expect((await postJson(`${server().url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 }, run_id: longest })).status).toBe(201);
    expect((await getJson(`${server().url}/v1/runs/${longest}`)).body['run_id']).toBe(longest);
    const encoded = [...longest].map((char) => `%${char.charCodeAt(0).toString(16)}`).join('');
    expect((await getJson(`${server().url}/v1/runs/${encoded}`)).body['run_id']).toBe(longest);
    expect((await getJson(`${server().url}/v1/runs/${longest}/events?wait=0`, { accept: 'application/json' })).status).toBe(200);
    const seeded = await postJson(`${server().url}/api/label-receipt/s${'y'.repeat(MAX_RUN_ID_LENGTH - 1)}`, {});
    expect(seeded.status).toBe(200);

    const tooLong = `r${'x'.repeat(MAX_RUN_ID_LENGTH)}`;
    const created = await postJson(`${server().url}/v1/runs`, { pipeline: 'demo', input: {}, run_id: tooLong });
    expect(created.body['code']).toBe('validation_failed');
    for (const id of [tooLong, 'z'.repeat(MAX_RUN_ID_LENGTH * 4)]) {
      for (const [method, path] of [
        ['GET', `/v1/runs/${id}`],
        ['GET', `/v1/runs/${id}/events`],
        ['GET', `/v1/runs/${id}/image`],
        ['POST', `/v1/runs/${id}/cancel`],
        ['POST', `/api/label-receipt/${id}`],
        ['GET', `/v1/runs/${id}/ws`],
        ['GET', `/ws/receipt/${id}`],
      ] as const) {
        const answer = await rawRequest(server().url, httpRequest(method, path, method === 'POST' ? json : {}, method === 'POST' ? '{}' : ''));
        expect(answer.status, `${method} ${path.slice(0, 40)}…`).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
        expectCoded(answer, answer.status);
      }
    }
  });

  /** Opens a WebSocket that the server refuses: its HTTP answer, or its first frame and close code. */
  const refusedSocket = (path: string) =>
    new Promise<{ status?: number; body?: string; frame?: string; close?: number }>((resolve) => {
      const socket = new WebSocket(`${server().wsUrl}${path}`);
      let frame: string | undefined;
      socket.on('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        // The server ends the connection after its answer: a refused upgrade holds nothing open.
        response.socket.once('close', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      socket.on('message', (data: Buffer) => (frame ??= data.toString()));
      socket.on('close', (close) => resolve({ ...(frame ? { frame } : {}), close }));
      socket.on('error', () => undefined);
    });

  it.each(['/ws/receipt/{id}', '/v1/runs/{id}/ws'])('refuses a WebSocket to %s with an over-long id with a code', async (route) => {
    for (const length of [MAX_RUN_ID_LENGTH + 1, MAX_RUN_ID_LENGTH * 4]) {
      const refusal = await refusedSocket(route.replace('{id}', 'x'.repeat(length)));
      if (refusal.status !== undefined) {
        expectCoded({ status: refusal.status, headers: {}, body: refusal.body ?? '' }, refusal.status);
      } else {
        expect(JSON.parse(refusal.frame ?? '{}')).toMatchObject({ event_type: 'error', code: expect.any(String) });
        expect(refusal.close).toBe(CLOSE_CODES.policy_violation);
      }
    }
  });

  it('refuses a WebSocket to a path with bad percent-encoding with a code, and closes the connection', async () => {
    const refusal = await refusedSocket('/v1/runs/%E0%A4%A/ws');
    expectCoded({ status: refusal.status ?? 0, headers: {}, body: refusal.body ?? '' }, 400, 'bad_request');
  });

  it.each(['/v1/ws', '/v1/runs/some-run/ws', '/ws/receipt/some-receipt', '/stream/ws/email-processing'])('answers a plain GET on the WebSocket route %s with 426', async (path) => {
    const answer = await rawRequest(server().url, httpRequest('GET', path));
    expectCoded(answer, 426, 'upgrade_required');
    expect(answer.headers['upgrade']).toBe('websocket');
  });

  const malformed: Array<[string, string, number?]> = [
    ['a Content-Length that is not a number', 'POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}', 400],
    ['a negative Content-Length', 'POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}', 400],
    ['both Content-Length and Transfer-Encoding', 'POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
    ['a bad chunk size', 'POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', 400],
    ['a header with no colon', 'GET /v1/runs HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n', 400],
    ['an unknown method', 'BREW /v1/runs HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['an oversized header', `GET /v1/runs HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431],
    ['bad percent-encoding in the path', httpRequest('GET', '/v1/runs/%E0%A4%A'), 400],
    ['a lone percent sign in the path', httpRequest('GET', '/v1/runs/50%'), 400],
    ['bad percent-encoding in the query', httpRequest('GET', '/v1/runs?limit=%ZZ'), 400],
    ['a repeated query parameter', httpRequest('GET', '/v1/runs?limit=1&limit=2'), 400],
    ['an unknown status in the query', httpRequest('GET', '/v1/runs?status=exploded'), 400],
    ['an unsupported method on a route', httpRequest('DELETE', '/v1/runs'), 404],
    ['PUT on a run', httpRequest('PUT', '/v1/runs/x', json, '{}'), 404],
    ['PROPFIND', httpRequest('PROPFIND', '/v1/runs'), 404],
    ['a JSON body sent as text/plain', httpRequest('POST', '/v1/runs', { 'Content-Type': 'text/plain' }, '{"pipeline":"demo"}'), 415],
    ['a JSON body with no content type', httpRequest('POST', '/v1/runs', {}, '{"pipeline":"demo"}'), 415],
    ['a JSON body as form data', httpRequest('POST', '/v1/runs', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'pipeline=demo'), 415],
    ['a malformed content type', httpRequest('POST', '/v1/runs', { 'Content-Type': 'application/json; charset' }, '{}'), 400],
    ['an empty JSON body', httpRequest('POST', '/v1/runs', { ...json, 'Content-Length': '0' }), 400],
    ['a body shorter than its Content-Length', 'POST /v1/runs HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{}', 400],
    ['a __proto__ key', httpRequest('POST', '/v1/runs', json, '{"pipeline":"demo","input":{},"__proto__":{"polluted":true}}'), 400],
    ['a constructor.prototype key', httpRequest('POST', '/v1/runs', json, '{"pipeline":"demo","input":{"constructor":{"prototype":{"polluted":true}}}}'), 400],
    ['a JSON array body', httpRequest('POST', '/v1/runs', json, '[1,2]'), 400],
    ['a JSON string body', httpRequest('POST', '/v1/negotiate', json, '"x"'), 400],
    ['a JSON null body', httpRequest('POST', '/v1/runs', json, 'null'), 400],
    ['a body over the limit by its Content-Length', `POST /v1/runs HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n{}`, 413],
    ['an image upload with a bad image', httpRequest('POST', '/v1/runs?pipeline=receipt', { 'Content-Type': 'image/png' }, 'not a png'), 422],
    ['a CORS preflight with no method', httpRequest('OPTIONS', '/v1/runs', { Origin: 'http://evil.example' })],
    ['a CORS preflight with no origin', httpRequest('OPTIONS', '/v1/runs', { 'Access-Control-Request-Method': 'POST' }), 400],
    ['a path that is not a route', httpRequest('GET', '/..%2F..%2Fetc/passwd'), 404],
    ['an absolute-form target', httpRequest('GET', 'http://localhost/nothing-here'), 404],
  ];

  it.each(malformed)('answers %s with a coded body', async (_name, request, status) => {
    const answer = await rawRequest(server().url, request);
    expectCoded(answer, status ?? answer.status);
  });

  it('keeps HEAD answers bodiless and coded in their headers', async () => {
    const missing = await rawRequest(server().url, httpRequest('HEAD', '/v1/runs/no-such-run'));
    expect(missing.status).toBe(404);
    expect(missing.body).toBe('');
    expect(missing.headers['content-type']).toContain('application/json');
    const socket = await rawRequest(server().url, httpRequest('HEAD', '/v1/ws'));
    expect(socket.status).toBe(426);
    expect(socket.body).toBe('');
  });

  it('still serves the server after all of it', async () => {
    expect((await getJson(`${server().url}/healthz`)).status).toBe(200);
  });
});

/** A client's mistake is logged at warn (pino level 40), never at error (50). */
describe('error logging', () => {
  const lines: Array<{ level: number; msg?: string; code?: string }> = [];
  let server: TestServer;
  beforeAll(async () => {
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
    });
    server = await startTestServer({}, { logStream });
  });
  afterAll(() => server.cleanup());

  it('logs 4xx answers at warn and none at error', async () => {
    const statuses: number[] = [];
    statuses.push((await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: {}, metadata: { deep: nested(4_100) } })).status);
    statuses.push((await postJson(`${server.url}/v1/runs`, { pipeline: 'nope', input: {} })).status);
    for (const request of [httpRequest('GET', '/v1/runs/%E0%A4%A'), httpRequest('GET', `/v1/runs/${'x'.repeat(1_000)}`), 'GET /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n']) {
      statuses.push((await rawRequest(server.url, request)).status);
    }
    expect(statuses.every((status) => status >= 400 && status < 500), statuses.join()).toBe(true);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(lines.filter((line) => line.level === 40).length).toBeGreaterThanOrEqual(statuses.length);
  });

  it.each([
    ['a message over the size limit', (socket: WebSocket) => socket.send('x'.repeat(70 * 1024)), 1009],
    ['a text frame that is not UTF-8', (socket: WebSocket) => socket.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false }), 1007],
  ])('closes a WebSocket that sends %s, logging it below error', async (_name, misbehave, closeCode) => {
    const socket = new WebSocket(`${server.wsUrl}/v1/ws`);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined);
    misbehave(socket);
    expect(await closed).toBe(closeCode);
    expect((await getJson(`${server.url}/healthz`)).status).toBe(200);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });
});

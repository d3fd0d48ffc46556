import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type {} from '@fastify/websocket';
import { sleep, type Pipeline } from '@unfold/engine';
import { CLIENT_MESSAGE_TYPES, isErrorCode } from '@unfold/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { openSocket, parseNdjson, parseSse, postJson, readStream, stored, type Frame } from './raw-clients.js';
import { startTestServer, useTestServer, type TestServer } from './test-server.js';

const MIB = 1024 * 1024;
const KEY = 'robust-key';

/** One event larger than the send buffer (as a receipt's words can be), then small ones in the same turn and the next. */
const bigEventPipeline: Pipeline<{ bytes: number }> = {
  name: 'big-event',
  description: 'one event larger than the send buffer, then small ones (tests only)',
  steps: [
    {
      name: 'emit',
      async run(context) {
        context.emit('extraction_token', { delta: 'w'.repeat(context.input.bytes), index: 0 });
        for (let index = 1; index <= 20; index++) context.emit('extraction_token', { delta: 'small', index });
        await sleep(1, context.signal);
        for (let index = 21; index <= 40; index++) context.emit('extraction_token', { delta: 'small', index });
        return {};
      },
    },
  ],
  parseInput: (input) => ({ bytes: Number(input['bytes']) }),
};

const startRun = (server: TestServer, pipeline: string, input: Record<string, unknown>, runId: string, headers: Record<string, string> = {}) => postJson(`${server.url}/v1/runs`, { pipeline, run_id: runId, input }, headers);

/** A normal run completes on the server, end to end: it is still serving. */
async function expectServing(server: TestServer, headers: Record<string, string> = {}): Promise<void> {
  const runId = `after-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await startRun(server, 'demo', { pace: 0 }, runId, headers);
  const frames = parseNdjson((await readStream(`${server.url}/v1/runs/${runId}/events`, 'application/x-ndjson', headers)).text);
  expect(frames.at(-1)?.event_type).toBe('processing_completed');
}

describe('no WebSocket message can stop the server', () => {
  // With a key configured every socket needs it, as a client in the field sends it.
  const server = useTestServer({ UNFOLD_API_KEYS: KEY });
  const withKey = { 'x-api-key': KEY };

  it('answers "subscribe" on a run socket with a coded error frame and keeps serving', async () => {
    const socket = openSocket(`${server().wsUrl}/v1/runs/some-run/ws`, { headers: withKey });
    await socket.waitFor((frame) => frame.event_type === 'connected');
    socket.socket.send(JSON.stringify({ type: 'subscribe', run_id: 'x' }));
    const error = await socket.waitFor((frame) => frame.event_type === 'error');
    expect(error).toMatchObject({ code: 'unknown_message', run_id: 'x' });
    socket.socket.close();
    await expectServing(server(), withKey);
  });

  it('answers "watch_runs" on a seed receipt socket with a coded error frame and keeps serving', async () => {
    const socket = openSocket(`${server().wsUrl}/ws/receipt/some-receipt`, { headers: withKey });
    await socket.waitFor((frame) => frame.event_type === 'connected');
    socket.socket.send(JSON.stringify({ type: 'watch_runs' }));
    expect(await socket.waitFor((frame) => frame.event_type === 'error')).toMatchObject({ code: 'unknown_message' });
    socket.socket.close();
    await expectServing(server(), withKey);
  });

  it('answers JSON null on the seed email socket with a client error, not internal_error', async () => {
    const socket = openSocket(`${server().wsUrl}/stream/ws/email-processing`, { headers: withKey });
    await socket.waitFor((frame) => (frame as unknown as { type: string }).type === 'connection_established');
    socket.socket.send('null');
    const error = (await socket.waitFor((frame) => (frame as unknown as { type: string }).type === 'error')) as unknown as { data: { code: string } };
    expect(['validation_failed', 'unknown_message']).toContain(error.data.code);
    socket.socket.close();
  });

  it('answers any message, of any shape, on every socket with a coded frame and stays up', async () => {
    const runId = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
    const wellFormed = fc.oneof(
      fc.record({ type: fc.constant('subscribe'), run_id: runId, after: fc.nat() }),
      fc.record({ type: fc.constant('unsubscribe'), run_id: runId }),
      fc.constantFrom({ type: 'watch_runs' }, { type: 'unwatch_runs' }, { type: 'ping' }),
      fc.record({ type: fc.constant('process_email'), data: fc.jsonValue() }),
    );
    const misshapen = fc.record({ type: fc.constantFrom(...CLIENT_MESSAGE_TYPES, 'process_email', 'other'), run_id: fc.jsonValue(), after: fc.jsonValue() }, { requiredKeys: ['type'] });
    const message = fc.oneof(fc.json(), fc.string(), wellFormed.map((value) => JSON.stringify(value)), misshapen.map((value) => JSON.stringify(value)));
    const sockets = [
      { path: '/v1/runs/fuzzed-run/ws', pong: (frame: Frame) => frame.event_type === 'pong' },
      { path: '/v1/ws', pong: (frame: Frame) => frame.event_type === 'pong' },
      { path: '/ws/receipt/fuzzed-receipt', pong: (frame: Frame) => frame.event_type === 'pong' },
      { path: '/stream/ws/email-processing', pong: (frame: Frame) => (frame as unknown as { type: string }).type === 'pong' },
    ];
    // In production an exception no handler caught ends the process; here it is recorded.
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sockets), fc.array(message, { maxLength: 12 }), async ({ path, pong }, messages) => {
        const socket = openSocket(`${server().wsUrl}${path}`, { headers: withKey });
        await socket.opened;
        for (const text of messages) if (text !== 'ping') socket.socket.send(text);
        // Messages are handled in order: the pong says every one before it was answered.
        socket.socket.send(JSON.stringify({ type: 'ping' }));
        await socket.waitFor(pong);
        expect(socket.socket.readyState).toBe(socket.socket.OPEN);
        for (const frame of socket.frames) {
          const code = frame.event_type === 'error' ? frame['code'] : (frame as unknown as { type?: string; data?: { code?: unknown } }).type === 'error' ? (frame as unknown as { data: { code: unknown } }).data.code : 'none';
          if (code !== 'none') expect(isErrorCode(code)).toBe(true);
        }
        socket.socket.close();
      }),
      { numRuns: 40 },
    ).finally(() => process.off('uncaughtException', record));
    expect(uncaught).toEqual([]);
    await expectServing(server(), withKey);
  });

  it('answers an empty email on the plain intake with the 4xx its pipeline gives it, not a 500', async () => {
    const response = await postJson(`${server().url}/intake/email`, { body: '' }, withKey);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'no_text_found', message: expect.any(String) });
  });
});

describe('the send-buffer cut-off measures what the client has not taken', () => {
  const server = useTestServer();
  let runs = 0;
  const nextRunId = () => `big-${Date.now()}-${runs++}`;

  // A 1.75 MiB event against the default 1 MiB send buffer.
  const bigInput = { bytes: Math.round(1.75 * MIB) };

  it('lets a fast WebSocket reader take an event larger than the send buffer', async () => {
    const big = await startTestServer({}, { pipelines: [bigEventPipeline] });
    try {
      const runId = nextRunId();
      const socket = openSocket(`${big.wsUrl}/v1/runs/${runId}/ws`);
      await socket.waitFor((frame) => frame.event_type === 'connected');
      await startRun(big, 'big-event', bigInput, runId);
      expect((await socket.closed).code).toBe(1000);
      expect(stored(socket.frames).at(-1)?.event_type).toBe('processing_completed');
      expect(stored(socket.frames).filter((frame) => frame.event_type === 'extraction_token')).toHaveLength(41);
    } finally {
      await big.cleanup();
    }
  });

  it.each([
    ['text/event-stream', (text: string) => parseSse(text).map((message) => message.data)],
    ['application/x-ndjson', parseNdjson],
  ])('lets a fast %s reader take an event larger than the send buffer', async (accept, parse) => {
    const big = await startTestServer({}, { pipelines: [bigEventPipeline] });
    try {
      const runId = nextRunId();
      const reading = readStream(`${big.url}/v1/runs/${runId}/events`, accept);
      await sleep(50);
      await startRun(big, 'big-event', bigInput, runId);
      const frames = parse((await reading).text);
      expect(frames.filter((frame) => frame.event_type === 'error')).toEqual([]);
      expect(frames.at(-1)?.event_type).toBe('processing_completed');
    } finally {
      await big.cleanup();
    }
  });

  /** 24 MiB in 256 KiB events, one per turn: far more than the kernel's socket buffers hold. */
  const flood = { events: 96, padding: 256 * 1024, pause_every: 1, pause_ms: 2 };
  // The limit, the largest frame and one burst (one event here), with room for frame headers.
  const memoryBound = 1 * MIB + 2 * (256 * 1024) + 64 * 1024;

  /** Samples a server-side buffer size until `done`, returning the largest seen. */
  const sampleMax = async (measure: () => number, done: () => boolean): Promise<number> => {
    let max = 0;
    while (!done()) {
      max = Math.max(max, measure());
      await sleep(2);
    }
    return Math.max(max, measure());
  };

  it('cuts off a WebSocket client that stops reading with 4008, holding a bounded buffer', async () => {
    const runId = nextRunId();
    const slow = openSocket(`${server().wsUrl}/v1/runs/${runId}/ws`);
    await slow.waitFor((frame) => frame.event_type === 'connected');
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const serverSide = [...server().server.app.websocketServer.clients].at(-1) as WebSocket;
    await startRun(server(), 'firehose', flood, runId);
    const max = await sampleMax(() => serverSide.bufferedAmount, () => serverSide.readyState !== serverSide.OPEN);
    // The server has given up on it; reading again, the client gets what was sent and the close code.
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slow.closed).code).toBe(4008);
    expect(max).toBeLessThan(memoryBound);
  });

  it.each(['text/event-stream', 'application/x-ndjson'])('cuts off a %s client that stops reading with a slow_consumer frame, holding a bounded buffer', async (accept) => {
    const runId = nextRunId();
    const responses: ServerResponse[] = [];
    const onRequest = (_request: IncomingMessage, response: ServerResponse) => responses.push(response);
    server().server.app.server.on('request', onRequest);
    const received = new Promise<IncomingMessage>((resolve) => {
      httpRequest(`${server().url}/v1/runs/${runId}/events`, { headers: { accept } }, (response) => {
        response.pause();
        resolve(response);
      }).end();
    });
    const response = await received;
    server().server.app.server.off('request', onRequest);
    const serverSide = responses.at(-1) as ServerResponse;
    await startRun(server(), 'firehose', flood, runId);
    const max = await sampleMax(() => serverSide.writableLength, () => serverSide.writableEnded);
    let text = '';
    response.setEncoding('utf8');
    for await (const chunk of response) text += chunk as string;
    const frames: Frame[] = accept === 'text/event-stream' ? parseSse(text).map((message) => message.data) : parseNdjson(text);
    expect(frames.at(-1)).toMatchObject({ event_type: 'error', code: 'slow_consumer', run_id: runId });
    expect(max).toBeLessThan(memoryBound);
  });
});

import { PassThrough } from 'node:stream';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocket, parseNdjson, postJson, readStream } from './raw-clients.js';
import { startTestServer, type TestServer } from './test-server.js';

interface LogLine {
  level: number;
  msg: string;
  run_id?: string;
  transport?: string;
  trace_id?: string;
}

const WARN = 40;
const INFO = 30;

/** Streams have no span: subscribe, resume, resync and cut-off are log lines carrying the run's trace id. */
describe('stream log lines', () => {
  const lines: LogLine[] = [];
  let server: TestServer;
  beforeAll(async () => {
    const logStream = new PassThrough();
    logStream.setEncoding('utf8');
    let rest = '';
    logStream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) if (part) lines.push(JSON.parse(part) as LogLine);
    });
    server = await startTestServer({ LOG_LEVEL: 'info', UNFOLD_SEND_BUFFER_BYTES: '65536' }, { logStream, spanExporter: new InMemorySpanExporter() });
  });
  afterAll(async () => server.cleanup());

  const traceIdOf = async (runId: string): Promise<string> => {
    const run = await server.server.context.store.runs.get(runId);
    const traceId = run?.trace_context?.['traceparent']?.split('-')[1];
    if (!traceId) throw new Error(`run ${runId} has no trace context`);
    return traceId;
  };
  const linesFor = (runId: string, msg: string) => lines.filter((line) => line.run_id === runId && line.msg === msg);
  const eventually = async (check: () => void): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return check();
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };

  it('logs subscribe, resume and resync at info with the run id, the transport and the run trace id', async () => {
    const runId = `logged-${Date.now()}`;
    await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', run_id: runId, input: { pace: 0 } });
    const whole = parseNdjson((await readStream(`${server.url}/v1/runs/${runId}/events`, 'application/x-ndjson')).text);
    expect(whole.at(-1)?.event_type).toBe('processing_completed');
    await readStream(`${server.url}/v1/runs/${runId}/events?after=2`, 'text/event-stream');
    await readStream(`${server.url}/v1/runs/${runId}/events?after=2&epoch=another-epoch`, 'application/x-ndjson');
    const trace_id = await traceIdOf(runId);
    await eventually(() => {
      expect(linesFor(runId, 'stream subscribe')).toContainEqual(expect.objectContaining({ level: INFO, transport: 'ndjson', trace_id }));
      expect(linesFor(runId, 'stream resume')).toContainEqual(expect.objectContaining({ level: INFO, transport: 'sse', trace_id }));
      expect(linesFor(runId, 'stream resync')).toEqual([expect.objectContaining({ level: INFO, transport: 'ndjson', trace_id })]);
    });
  });

  it('logs a slow-consumer cut-off at warn with the run id, the transport and the run trace id', async () => {
    const runId = `logged-slow-${Date.now()}`;
    const slow = openSocket(`${server.wsUrl}/v1/runs/${runId}/ws`);
    await slow.waitFor((frame) => frame.event_type === 'connected');
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    try {
      await postJson(`${server.url}/v1/runs`, { pipeline: 'firehose', run_id: runId, input: { events: 400, padding: 64 * 1024, pause_every: 1, pause_ms: 1 } });
      const trace_id = await traceIdOf(runId);
      await eventually(() => expect(linesFor(runId, 'stream slow_consumer cut-off')).toEqual([expect.objectContaining({ level: WARN, transport: 'websocket', trace_id })]));
    } finally {
      slow.socket.terminate();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { createClient } from '@unfold/client/node';
import type { UnfoldEvent } from '@unfold/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postJson } from './raw-clients.js';
import { startTestServer, type TestServer } from './test-server.js';

// A file of its own: the OpenTelemetry SDK is registered once per process, and this
// server samples differently from the one in telemetry.test.ts.
describe('head sampling at the edge', () => {
  const exporter = new InMemorySpanExporter();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ OTEL_TRACES_SAMPLER_ARG: '0' }, { spanExporter: exporter });
  });
  afterAll(() => server.cleanup());

  const runToTheEnd = async (headers: Record<string, string>) => {
    const created = await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 } }, headers);
    const events: UnfoldEvent[] = [];
    const stream = createClient({ baseUrl: server.url }).watch(created.body['run_id'] as string);
    stream.on('event', (event) => events.push(event));
    await stream.done;
    return events;
  };

  it('makes no spans for a new trace it does not keep, and still follows a caller that sampled', async () => {
    const untraced = await runToTheEnd({});
    expect(untraced.some((event) => event.trace_id !== undefined)).toBe(false);

    const traceId = randomBytes(16).toString('hex');
    const traced = await runToTheEnd({ traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(traced.every((event) => event.trace_id === traceId)).toBe(true);
    await vi.waitFor(() => expect(exporter.getFinishedSpans().some((span) => span.name === 'run demo')).toBe(true));
    // Every span there is belongs to the caller's trace: the unsampled run and both streams made none.
    expect(new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId))).toEqual(new Set([traceId]));
  });

  it('samples each run a stream starts as a request of its own: not at all here, unless its caller sampled', async () => {
    const before = exporter.getFinishedSpans().length;
    const email = { sender_name: 'Ren Ito', sender_email: 'ren@example.com', subject: 'Hello', body: 'Hi,\n\nThanks,\nRen Ito\nEngineer\nExample Co.' };
    const startOverSse = async (headers: Record<string, string>) => {
      const response = await fetch(`${server.url}/stream/sse/process-email`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(email) });
      return response.text();
    };
    expect(await startOverSse({})).toContain('event: complete');
    const traceId = randomBytes(16).toString('hex');
    expect(await startOverSse({ traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` })).toContain('event: complete');
    await vi.waitFor(() => expect(exporter.getFinishedSpans().slice(before).some((span) => span.name === 'run email')).toBe(true));
    expect(new Set(exporter.getFinishedSpans().slice(before).map((span) => span.spanContext().traceId))).toEqual(new Set([traceId]));
  });
});

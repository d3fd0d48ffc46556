import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@unfold/client/node';
import { describe, expect, it } from 'vitest';
import { startTestServer } from './test-server.js';

/** A stand-in OTLP/HTTP collector: keeps what is posted to /v1/traces. */
async function collector() {
  const received: Array<{ path: string; contentType: string; body: Buffer }> = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', contentType: request.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('OTLP export', () => {
  it('sends the run’s spans to the configured collector as OTLP/HTTP protobuf', async () => {
    const otlp = await collector();
    const server = await startTestServer({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_TRACES_SAMPLER_ARG: '1', OTEL_SERVICE_NAME: 'unfold-under-test' });
    try {
      await createClient({ baseUrl: server.url }).runAndWatch({ pipeline: 'demo', input: { pace: 0 } }).done;
    } finally {
      await server.cleanup(); // shutting down flushes the batch
      await otlp.close();
    }
    const posted = Buffer.concat(otlp.received.map((request) => request.body)).toString('latin1');
    expect(otlp.received.every((request) => request.path === '/v1/traces' && request.contentType === 'application/x-protobuf')).toBe(true);
    for (const name of ['run demo', 'tool fetch_document', 'tool validate', 'POST /v1/runs', 'unfold-under-test']) expect(posted).toContain(name);
  });
});

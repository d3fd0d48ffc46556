import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNdjson, postJson, readStream, stored, type Frame } from './raw-clients.js';
import { bearer, createKey } from './test-keys.js';
import { startTestServer, type TestServer } from './test-server.js';

const fixture = new URL('../../pipelines/fixtures/receipt.png', import.meta.url);

/**
 * A server on loopback standing for what sits inside the network: every request that reaches
 * it is counted, so a refused image_url must leave it at 0.
 */
interface Internal {
  port: number;
  requests: string[];
  server: Server;
}

async function startInternal(respond: (request: IncomingMessage, response: ServerResponse) => void): Promise<Internal> {
  const internal: Internal = { port: 0, requests: [], server: createServer() };
  internal.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    internal.requests.push(request.url ?? '');
    respond(request, response);
  });
  await new Promise<void>((resolve) => internal.server.listen(0, '127.0.0.1', resolve));
  internal.port = (internal.server.address() as AddressInfo).port;
  return internal;
}

const stopInternal = (internal: Internal | undefined) => new Promise((resolve) => (internal ? internal.server.close(resolve) : resolve(undefined)));

/** A test server whose JSON log lines are kept, with one key, of the tenant `acme`. */
async function startLogged(): Promise<{ server: TestServer; log: Record<string, unknown>[]; acme: Record<string, string> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'unfold-ssrf-'));
  const acme = bearer((await createKey(dataDir, 'acme')).key);
  const log: Record<string, unknown>[] = [];
  const logStream = new PassThrough();
  let pending = '';
  logStream.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) log.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { server: await startTestServer({}, { dataDir, logStream }), log, acme };
}

/** Starts a receipt run on the URL and reads its events to the end. */
async function runOn(server: TestServer, imageUrl: string, headers: Record<string, string> = {}): Promise<{ runId: string; terminal: Frame | undefined }> {
  const created = await postJson(`${server.url}/v1/runs`, { pipeline: 'receipt', input: { image_url: imageUrl } }, headers);
  expect(created.status).toBe(201);
  const runId = created.body['run_id'] as string;
  const events = stored(parseNdjson((await readStream(`${server.url}/v1/runs/${runId}/events`, 'application/x-ndjson', headers)).text));
  return { runId, terminal: events.at(-1) };
}

describe('image_url on a server with the default fetch policy', () => {
  let internal: Internal;
  let server: TestServer;
  let log: Record<string, unknown>[];
  let acme: Record<string, string>;
  beforeAll(async () => {
    internal = await startInternal((_request, response) => response.writeHead(200, { 'content-type': 'image/png' }).end('internal service answer'));
    ({ server, log, acme } = await startLogged());
  });
  afterAll(async () => {
    await server?.cleanup();
    await stopInternal(internal);
  });

  const urls: [string, (port: number) => string][] = [
    ['127.0.0.1', (port) => `http://127.0.0.1:${port}/receipt.png`],
    ['localhost (a name that resolves to loopback)', (port) => `http://localhost:${port}/receipt.png`],
    ['[::1]', (port) => `http://[::1]:${port}/receipt.png`],
    ['0.0.0.0', (port) => `http://0.0.0.0:${port}/receipt.png`],
    ['10/8', (port) => `http://10.0.0.5:${port}/`],
    ['172.16/12', (port) => `http://172.16.0.1:${port}/`],
    ['192.168/16', (port) => `http://192.168.1.1:${port}/`],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['an IPv4-mapped IPv6 loopback', (port) => `http://[::ffff:127.0.0.1]:${port}/receipt.png`],
    ['a decimal spelling of loopback', (port) => `http://2130706433:${port}/receipt.png`],
    ['an octal spelling of loopback', (port) => `http://0177.0.0.1:${port}/receipt.png`],
  ];

  it.each(urls)('refuses %s with url_not_allowed, and nothing reaches the address', async (_name, url) => {
    const { terminal } = await runOn(server, url(internal.port), acme);
    expect(terminal).toMatchObject({ event_type: 'processing_failed', code: 'url_not_allowed', tool_name: 'ocr_extraction' });
    expect(internal.requests).toHaveLength(0);
  });

  it('says the same whatever is at the address, and nothing of it', async () => {
    const closed = await startInternal(() => undefined);
    await stopInternal(closed);
    const listening = await runOn(server, `http://127.0.0.1:${internal.port}/`, acme);
    const nothing = await runOn(server, `http://127.0.0.1:${closed.port}/`, acme);
    expect(nothing.terminal?.['error']).toBe(listening.terminal?.['error']);
    expect(String(listening.terminal?.['error'])).not.toMatch(/127\.0\.0\.1|loopback|internal service|\d{4,5}/);
  });

  it("audits who asked for what: the run's tenant and id, the URL without its query, and why", async () => {
    const { runId } = await runOn(server, `http://169.254.169.254/latest/meta-data/?signature=do-not-log`, acme);
    const line = log.find((entry) => entry['audit'] === 'refused' && entry['code'] === 'url_not_allowed' && entry['run_id'] === runId);
    expect(line).toMatchObject({ level: 40, tenant: 'acme', url: 'http://169.254.169.254/latest/meta-data/', target: 'http://169.254.169.254/latest/meta-data/', reason: '169.254.169.254 is linkLocal' });
    expect(JSON.stringify(log)).not.toContain('do-not-log');
  });

  it('refuses the same URL through the seed route', async () => {
    const answer = await postJson(`${server.url}/api/label-receipt/seed-ssrf`, { image_url: `http://127.0.0.1:${internal.port}/receipt.png` }, acme);
    expect(answer.status).toBeLessThan(300);
    const events = stored(parseNdjson((await readStream(`${server.url}/v1/runs/seed-ssrf/events`, 'application/x-ndjson', acme)).text));
    expect(events.at(-1)).toMatchObject({ event_type: 'processing_failed', code: 'url_not_allowed' });
    expect(internal.requests).toHaveLength(0);
  });
});

describe('image_url on a server that allows one internal host', () => {
  let images: Internal;
  let internal: Internal;
  let server: TestServer;
  beforeAll(async () => {
    const png = await readFile(fixture);
    internal = await startInternal((_request, response) => response.end('internal service answer'));
    images = await startInternal((request, response) => {
      if (request.url === '/receipt.png') response.writeHead(200, { 'content-type': 'image/png' }).end(png);
      else if (request.url === '/moved') response.writeHead(302, { location: `http://127.0.0.1:${internal.port}/admin` }).end();
      else if (request.url === '/page') response.writeHead(200, { 'content-type': 'text/html' }).end('<html>dashboard</html>');
      else response.writeHead(403, { 'content-type': 'text/plain' }).end('internal detail');
    });
    server = await startTestServer({ UNFOLD_FETCH_ALLOWED_HOSTS: 'LOCALHOST' });
  });
  afterAll(async () => {
    await server?.cleanup();
    await Promise.all([stopInternal(images), stopInternal(internal)]);
  });

  it('reads a real receipt served from it, end to end', async () => {
    const { terminal } = await runOn(server, `http://localhost:${images.port}/receipt.png`);
    expect(terminal).toMatchObject({ event_type: 'processing_completed', result: { merchant_name: 'GREEN LEAF CAFE SDN BHD', total: '27.98' } });
    expect(images.requests).toContain('/receipt.png');
  });

  it('refuses its redirect to loopback, and nothing reaches the target', async () => {
    const { terminal } = await runOn(server, `http://localhost:${images.port}/moved`);
    expect(terminal).toMatchObject({ event_type: 'processing_failed', code: 'url_not_allowed' });
    expect(internal.requests).toHaveLength(0);
  });

  it('does not extend to the same address named otherwise', async () => {
    const { terminal } = await runOn(server, `http://127.0.0.1:${images.port}/receipt.png`);
    expect(terminal).toMatchObject({ event_type: 'processing_failed', code: 'url_not_allowed' });
  });

  it('refuses an answer that is not an image, and does not repeat what the host answered', async () => {
    const page = await runOn(server, `http://localhost:${images.port}/page`);
    expect(page.terminal).toMatchObject({ event_type: 'processing_failed', code: 'invalid_input', error: 'the image URL did not answer with an image' });
    const denied = await runOn(server, `http://localhost:${images.port}/secret`);
    expect(denied.terminal).toMatchObject({ event_type: 'processing_failed', code: 'invalid_input', error: 'the image URL could not be fetched' });
  });
});

describe('image_url on a server with UNFOLD_FETCH_ALLOW_PRIVATE=true', () => {
  let internal: Internal;
  let server: TestServer;
  beforeAll(async () => {
    internal = await startInternal((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>intranet</html>'));
    server = await startTestServer({ UNFOLD_FETCH_ALLOW_PRIVATE: 'true' });
  });
  afterAll(async () => {
    await server?.cleanup();
    await stopInternal(internal);
  });

  it('fetches from a loopback address', async () => {
    const { terminal } = await runOn(server, `http://127.0.0.1:${internal.port}/`);
    expect(terminal).toMatchObject({ event_type: 'processing_failed', code: 'invalid_input', error: 'the image URL did not answer with an image' });
    expect(internal.requests).toEqual(['/']);
  });
});

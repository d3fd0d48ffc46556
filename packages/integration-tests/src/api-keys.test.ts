import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createClient } from '@unfold/client/node';
import { runKey } from '@unfold/engine';
import { createUnfoldServer, loadConfig } from '@unfold/gateway';
import { CLOSE_CODES, type RunUpdatedFrame } from '@unfold/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runUnfold } from './cli-process.js';
import { getJson, openSocket, parseSse, postJson } from './raw-clients.js';
import { bearer, createKey } from './test-keys.js';
import { startTestServer, type TestServer } from './test-server.js';

const WRONG_KEY = `ufk_${'A'.repeat(43)}`;

/** Every guarded HTTP route, as a request with no body a refusal answers before reading one. */
const GUARDED: Array<[string, string]> = [
  ['GET', '/v1/runs'],
  ['POST', '/v1/runs'],
  ['GET', '/v1/runs/some-run'],
  ['POST', '/v1/runs/some-run/cancel'],
  ['GET', '/v1/runs/some-run/image'],
  ['GET', '/v1/runs/some-run/events'],
  ['POST', '/v1/negotiate'],
  ['GET', '/v1/pipelines'],
  ['GET', '/v1/stats'],
  ['GET', '/v1/openapi.json'],
  ['GET', '/v1/no-such-route'],
  ['POST', '/api/label-receipt/some-receipt'],
  ['GET', '/stream/negotiate'],
  ['POST', '/stream/sse/process-email'],
  ['POST', '/stream/batch/process-email'],
  ['POST', '/intake/email'],
  ['GET', '/stream/metrics'],
];
const SOCKETS = ['/v1/ws', '/v1/runs/some-run/ws', '/ws/receipt/some-receipt', '/stream/ws/email-processing'];

async function call(server: TestServer, method: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { method, headers: { accept: 'application/json', ...headers } });
  return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
}

describe('a server with API keys', () => {
  let server: TestServer;
  let acme: { key: string; keyId: string };
  const log = new PassThrough();
  const lines: string[] = [];
  log.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-keys-'));
    acme = await createKey(dataDir, 'acme');
    server = await startTestServer({}, { dataDir, logStream: log });
  });
  afterAll(async () => server.cleanup());

  it('refuses every guarded route with no key, 401 unauthorized, and audits each refusal without a secret', async () => {
    for (const [method, path] of GUARDED) {
      const { status, body } = await call(server, method, path);
      expect({ method, path, status, code: body.code }).toEqual({ method, path, status: 401, code: 'unauthorized' });
      expect(body.message).toContain('API key is required');
    }
    const audit = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['audit'] === 'refused');
    expect(audit.length).toBeGreaterThanOrEqual(GUARDED.length);
    expect(audit).toContainEqual(expect.objectContaining({ level: 40, code: 'unauthorized', method: 'GET', route: '/v1/runs/:id', remote_address: '127.0.0.1' }));
  });

  it('refuses a wrong key, and a malformed or ambiguous credential header, each with 401 and a message that names the problem', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [bearer(WRONG_KEY), 'not valid'],
      [{ 'x-api-key': WRONG_KEY }, 'not valid'],
      [{ authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }, 'Authorization header is malformed'],
      [{ authorization: 'Bearer' }, 'Authorization header is malformed'],
      [{ authorization: `Bearer ${acme.key} extra` }, 'Authorization header is malformed'],
      [{ 'x-api-key': `${acme.key}, ${WRONG_KEY}` }, 'X-API-Key header is malformed'],
      [{ ...bearer(acme.key), 'x-api-key': WRONG_KEY }, 'different keys'],
    ];
    for (const [headers, message] of cases) {
      const { status, body } = await call(server, 'GET', '/v1/runs', headers);
      expect({ headers, status, code: body.code }).toEqual({ headers, status: 401, code: 'unauthorized' });
      expect(body.message).toContain(message);
    }
    // The audit lines name the refusal, never the key that was tried.
    expect(lines.join('\n')).not.toContain(WRONG_KEY);
    expect(lines.join('\n')).not.toContain(acme.key);
  });

  it('lets a key in as Bearer or X-API-Key, and records its last use', async () => {
    expect((await call(server, 'GET', '/v1/runs', bearer(acme.key))).status).toBe(200);
    expect((await call(server, 'GET', '/v1/runs', { authorization: `bearer ${acme.key}` })).status).toBe(200);
    expect((await call(server, 'GET', '/v1/runs', { 'x-api-key': acme.key })).status).toBe(200);
    expect((await call(server, 'GET', '/v1/runs', { ...bearer(acme.key), 'x-api-key': acme.key })).status).toBe(200);
    const [stored] = await server.server.context.store.keys.list();
    expect(stored?.last_used_at).toEqual(expect.any(String));
  });

  it('stores the tenant of the key that created a run with the run', async () => {
    const created = await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 } }, bearer(acme.key));
    expect(created.status).toBe(201);
    expect((await server.server.context.store.runs.get(runKey('acme', created.body['run_id'] as string)))?.tenant).toBe('acme');
  });

  it('keeps health, readiness, metrics, the seed health and the web app open', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/stream/health', '/']) expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
  });

  it('closes every WebSocket opened with no key or a wrong one with 4001 and an error frame', async () => {
    for (const path of SOCKETS) {
      for (const headers of [{}, { 'x-api-key': WRONG_KEY }] as Array<Record<string, string>>) {
        const socket = openSocket(`${server.wsUrl}${path}`, { headers });
        expect((await socket.closed).code, path).toBe(CLOSE_CODES.unauthorized);
        const error = socket.frames.find((frame) => frame.event_type === 'error') ?? (socket.frames[0] as unknown as { data?: { code: string } } | undefined)?.data;
        expect(error, path).toMatchObject({ code: 'unauthorized' });
      }
    }
  });

  it('negotiates a stream token only with a key; the token opens the runs it names, as access_token or token, and no other', async () => {
    expect((await postJson(`${server.url}/v1/negotiate`, { run_ids: ['mine'] })).status).toBe(401);
    const { body } = await postJson(`${server.url}/v1/negotiate`, { run_ids: ['mine'] }, bearer(acme.key));
    const token = body['token'] as string;
    const poll = (runId: string, query: string) => getJson(`${server.url}/v1/runs/${runId}/events?wait=0&${query}`);
    expect((await poll('mine', `access_token=${token}`)).status).toBe(200);
    expect((await poll('mine', `token=${token}`)).status).toBe(200);
    expect(await poll('theirs', `access_token=${token}`)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await poll('mine', `access_token=${token}x`)).toMatchObject({ status: 401, body: { code: 'invalid_token' } });
    // A key in a header is the credential when both are sent (the SDK sends its key everywhere).
    expect((await getJson(`${server.url}/v1/runs/theirs/events?wait=0&access_token=${token}`, bearer(acme.key))).status).toBe(200);
    // A token is no key: it opens streams, not the API.
    expect((await getJson(`${server.url}/v1/runs?access_token=${token}`)).status).toBe(401);
    // A token scoped to runs does not cover the runs list.
    const socket = openSocket(`${server.wsUrl}/v1/ws?access_token=${token}`);
    await socket.waitFor((frame) => frame.event_type === 'connected');
    socket.socket.send(JSON.stringify({ type: 'watch_runs' }));
    expect(await socket.waitFor((frame) => frame.event_type === 'error')).toMatchObject({ code: 'forbidden' });
    socket.socket.close();
    const audit = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line['audit'] === 'refused' && line['code'] === 'forbidden');
    expect(audit).toMatchObject({ principal: 'stream_token', tenant: 'acme', key_id: acme.keyId });
    expect(lines.join('\n')).not.toContain(token);
  });

  it('declares its security schemes in the OpenAPI document: a key everywhere, a token on streams, none on probes', async () => {
    const { body } = await getJson(`${server.url}/v1/openapi.json`, bearer(acme.key));
    const document = body as { security: unknown[]; components: { securitySchemes: Record<string, Record<string, string>> }; paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>> };
    expect(document.components.securitySchemes).toMatchObject({ bearerKey: { type: 'http', scheme: 'bearer' }, apiKeyHeader: { in: 'header', name: 'X-API-Key' }, streamToken: { in: 'query', name: 'access_token' } });
    expect(document.security).toEqual([{ bearerKey: [] }, { apiKeyHeader: [] }]);
    expect(document.paths['/v1/runs/{id}/events']?.['get']?.security).toContainEqual({ streamToken: [] });
    expect(document.paths['/v1/runs']?.['get']?.responses).toHaveProperty('401');
    expect(document.paths['/healthz']?.['get']?.security).toEqual([]);
  });

  it('lets the SDK in with apiKey: HTTP with the key, every stream transport and the runs feed with a token negotiated with it', async () => {
    const client = createClient({ baseUrl: server.url, apiKey: acme.key });
    const updates: RunUpdatedFrame[] = [];
    let live!: () => void;
    const isLive = new Promise<void>((resolve) => (live = resolve));
    const feed = client.watchRuns({ update: (frame) => updates.push(frame), live: () => live() });
    await isLive;
    for (const transport of ['websocket', 'sse', 'ndjson', 'long-poll'] as const) {
      const stream = createClient({ baseUrl: server.url, apiKey: acme.key, transports: [transport] }).runAndWatch({ pipeline: 'demo', input: { pace: 0 } });
      let last: string | undefined;
      for await (const event of stream) last = event.event_type;
      expect(last, transport).toBe('processing_completed');
    }
    await vi.waitFor(() => expect(updates.some((frame) => frame.status === 'completed')).toBe(true));
    feed.close();
    await expect(createClient({ baseUrl: server.url }).listRuns()).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('serves the seed routes to a stored key sent as X-API-Key', async () => {
    const negotiated = await getJson(`${server.url}/stream/negotiate`, { 'x-api-key': acme.key });
    expect(negotiated.status).toBe(200);
    const socket = openSocket(new URL(negotiated.body['url'] as string, server.wsUrl).toString());
    await socket.waitFor((frame) => (frame as unknown as { type: string }).type === 'connection_established');
    socket.socket.close();
    const started = await postJson(`${server.url}/api/label-receipt/seed-with-key`, {}, { 'x-api-key': acme.key });
    expect(started).toMatchObject({ status: 200, body: { receipt_id: 'seed-with-key' } });
  });
});

describe('revoking a key', () => {
  let server: TestServer;
  let dataDir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dataDir = server.dataDir;
  });
  afterAll(async () => server.cleanup());
  const cli = (...args: string[]) => runUnfold(['keys', ...args], { UNFOLD_DATA_DIR: dataDir });

  /** Polls until `check` holds; resolves with how long that took. */
  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const start = Date.now();
    while (!(await check())) {
      if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return Date.now() - start;
  }

  it('takes effect on the running server within a second when `unfold keys` runs in another process, open connections included', async () => {
    // With no key yet, this loopback client is served as the local user.
    expect((await call(server, 'GET', '/v1/runs')).status).toBe(200);
    const local = openSocket(`${server.wsUrl}/v1/ws`);
    await local.waitFor((frame) => frame.event_type === 'connected');
    const created = await cli('create', '--tenant', 'acme', '--label', 'to revoke');
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    const keyId = /(key_[0-9a-f]{12})/.exec(created.stderr)?.[1] as string;
    const other = (await cli('create', '--tenant', 'beta')).stdout.trim();
    // The first key turns authentication on: anonymous requests are refused, the key is let in.
    await within(1_000, async () => (await call(server, 'GET', '/v1/runs')).status === 401);
    await within(1_000, async () => (await call(server, 'GET', '/v1/runs', bearer(other))).status === 200);
    // What was let in without a key is closed as the first key appears.
    expect(await local.closed).toMatchObject({ code: CLOSE_CODES.unauthorized });
    expect(local.frames.at(-1)).toMatchObject({ event_type: 'error', code: 'unauthorized' });
    expect((await call(server, 'GET', '/v1/runs', bearer(key))).status).toBe(200);

    // `unfold run --server` takes its key from UNFOLD_API_KEY.
    const run = await runUnfold(['run', 'demo', '--server', server.url, '--json'], { UNFOLD_DATA_DIR: dataDir, UNFOLD_API_KEY: key });
    expect(run.stdout.trim().split('\n').at(-1)).toContain('"processing_completed"');

    const socket = openSocket(`${server.wsUrl}/v1/ws`, { headers: bearer(key) });
    await socket.waitFor((frame) => frame.event_type === 'connected');
    const { body } = await postJson(`${server.url}/v1/negotiate`, {}, bearer(key));
    const tokenSocket = openSocket(`${server.wsUrl}/v1/runs/not-yet/ws?access_token=${body['token'] as string}`);
    await tokenSocket.waitFor((frame) => frame.event_type === 'connected');
    const sse = fetch(`${server.url}/v1/runs/not-yet/events`, { headers: { accept: 'text/event-stream', ...bearer(key) } }).then((response) => response.text());
    const otherSocket = openSocket(`${server.wsUrl}/v1/ws`, { headers: bearer(other) });
    await otherSocket.waitFor((frame) => frame.event_type === 'connected');
    // A long-poll waiting its 25 s is answered as the key goes, not when its wait runs out.
    const pollStarted = Date.now();
    const poll = getJson(`${server.url}/v1/runs/not-yet/events?wait=25`, { accept: 'application/json', ...bearer(key) }).then((answer) => ({ ...answer, took: Date.now() - pollStarted }));

    const revoked = await cli('revoke', keyId);
    expect(revoked.code).toBe(0);
    const took = await within(1_000, async () => (await call(server, 'GET', '/v1/runs', bearer(key))).status === 401);
    expect(took).toBeLessThan(1_000);
    expect(await socket.closed).toMatchObject({ code: CLOSE_CODES.key_revoked, reason: 'key_revoked' });
    expect(socket.frames.at(-1)).toMatchObject({ event_type: 'error', code: 'key_revoked' });
    expect((await tokenSocket.closed).code).toBe(CLOSE_CODES.key_revoked);
    expect(parseSse(await sse).at(-1)?.data).toMatchObject({ event_type: 'error', code: 'key_revoked' });
    const polled = await poll;
    expect(polled).toMatchObject({ status: 401, body: { code: 'key_revoked' } });
    expect(polled.took).toBeLessThan(15_000);
    // A token issued to the key is refused as the key is, and the other tenant's key goes on.
    const again = openSocket(`${server.wsUrl}/v1/ws?access_token=${body['token'] as string}`);
    expect((await again.closed).code).toBe(CLOSE_CODES.key_revoked);
    expect(otherSocket.socket.readyState).toBe(otherSocket.socket.OPEN);
    expect((await call(server, 'GET', '/v1/runs', bearer(other))).status).toBe(200);
    otherSocket.socket.close();
    const listed = await cli('list');
    expect(listed.stdout).toMatch(new RegExp(`${keyId} +acme +to revoke +\\S+ +\\S+ +\\d{4}-`));
    // Five CLI processes, each a Node start: more than the default 20 s on a loaded machine.
  }, 90_000);
});

describe('who is let in without a key', () => {
  it('serves loopback clients while no key exists, but not a forwarded request, a remote client or a rebound host name', async () => {
    const server = await startTestServer();
    try {
      expect((await call(server, 'GET', '/v1/runs')).status).toBe(200);
      expect((await postJson(`${server.url}/v1/negotiate`, {})).status).toBe(200);
      const local = await postJson(`${server.url}/v1/runs`, { pipeline: 'demo', input: { pace: 0 } });
      expect((await server.server.context.store.runs.get(local.body['run_id'] as string))?.tenant).toBe('default');
      const forwarded = await call(server, 'GET', '/v1/runs', { 'x-forwarded-for': '203.0.113.9' });
      expect(forwarded).toMatchObject({ status: 401, body: { code: 'unauthorized', message: expect.stringContaining('unfold keys create') } });
      const remote = await server.server.app.inject({ method: 'GET', url: '/v1/runs', remoteAddress: '192.0.2.7' });
      expect(remote.statusCode).toBe(401);
      expect((await server.server.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '192.0.2.7' })).statusCode).toBe(200);
      // A page whose name an attacker's DNS points at 127.0.0.1 (DNS rebinding) is not this machine's user.
      const rebound = await server.server.app.inject({ method: 'GET', url: '/v1/runs', remoteAddress: '127.0.0.1', headers: { host: `rebound.example:${new URL(server.url).port}` } });
      expect(rebound.statusCode).toBe(401);
      expect((await server.server.app.inject({ method: 'GET', url: '/v1/runs', remoteAddress: '127.0.0.1', headers: { host: '[::1]:8080' } })).statusCode).toBe(200);
    } finally {
      await server.cleanup();
    }
  });

  it('serves everyone with UNFOLD_AUTH=none, and nobody without a key with UNFOLD_AUTH=keys', async () => {
    const open = await startTestServer({ UNFOLD_AUTH: 'none' });
    const locked = await startTestServer({ UNFOLD_AUTH: 'keys' });
    try {
      expect((await open.server.app.inject({ method: 'GET', url: '/v1/runs', remoteAddress: '192.0.2.7' })).statusCode).toBe(200);
      expect((await call(locked, 'GET', '/v1/runs')).status).toBe(401);
    } finally {
      await Promise.all([open.cleanup(), locked.cleanup()]);
    }
  });

  it('puts /metrics behind a key with UNFOLD_METRICS_AUTH=keys', async () => {
    const server = await startTestServer({ UNFOLD_METRICS_AUTH: 'keys', UNFOLD_API_KEYS: 'configured-key' });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${server.url}/metrics`, { headers: { 'x-api-key': 'configured-key' } })).status).toBe(200);
    } finally {
      await server.cleanup();
    }
  });

  it('refuses to listen on a non-loopback address with no key unless UNFOLD_AUTH=none, and listens once a key exists', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-bind-'));
    const attempt = async (env: Record<string, string>) => {
      const server = await createUnfoldServer({ config: loadConfig({ LOG_LEVEL: 'silent', ...env, UNFOLD_DATA_DIR: dataDir }) });
      try {
        return await server.listen(0, '0.0.0.0');
      } finally {
        await server.close();
      }
    };
    try {
      await expect(attempt({})).rejects.toMatchObject({ code: 'auth_not_configured', message: expect.stringContaining('UNFOLD_AUTH=none') });
      await expect(attempt({ UNFOLD_AUTH: 'none' })).resolves.toMatch(/^http:/);
      await createKey(dataDir, 'acme');
      await expect(attempt({})).resolves.toMatch(/^http:/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

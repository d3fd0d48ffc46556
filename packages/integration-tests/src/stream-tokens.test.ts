import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createClient, type WebSocketConstructor } from '@unfold/client/node';
import { CLOSE_CODES, type UnfoldError } from '@unfold/protocol';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { expectGapless, getJson, openSocket, postJson, stored, type Frame } from './raw-clients.js';
import { bearer, createKey } from './test-keys.js';
import { startTestServer, type TestServer } from './test-server.js';

const SECRET = 'stream-token-tests-secret-0123456789abcdef';
const SOCKETS = ['/v1/ws', '/v1/runs/some-run/ws', '/ws/receipt/some-receipt', '/stream/ws/email-processing'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function negotiate(server: TestServer, key: string, runIds: string[] = []): Promise<{ token: string; expires_at: string }> {
  const { status, body } = await postJson(`${server.url}/v1/negotiate`, { run_ids: runIds }, bearer(key));
  expect(status).toBe(200);
  return body as { token: string; expires_at: string };
}

/** A long-poll that answers at once: 200 when the token opens the run's stream. */
const pollWith = (server: TestServer, token: string, runId = 'some-run') => getJson(`${server.url}/v1/runs/${runId}/events?wait=0&access_token=${token}`);

/** A firehose run that emits one event every `pauseMs`, created after the caller has subscribed to its id. */
const firehose = (server: TestServer, key: string, runId: string, events: number, pauseMs: number) =>
  postJson(`${server.url}/v1/runs`, { pipeline: 'firehose', run_id: runId, input: { events, pause_every: 1, pause_ms: pauseMs } }, bearer(key));

const isTerminal = (frame: Frame) => frame.event_type === 'processing_completed';
/** Every event of the run up to its terminal one, each once, in order. */
const wholeRun = (frames: Frame[], terminal: Frame) => expectGapless(frames) && stored(frames).length === terminal.seq;

/** The HTTP status a WebSocket upgrade is answered with: 101 when it is upgraded. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('upgrade', (response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
    });
    socket.once('error', (error) => reject(error));
  });
}

describe('stream tokens against forgery', () => {
  let server: TestServer;
  let acme: { key: string; keyId: string };
  /** Another key of the same tenant. */
  let acme2: { key: string; keyId: string };
  let beta: { key: string; keyId: string };
  const lines: string[] = [];
  const log = new PassThrough();
  log.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-tokens-'));
    acme = await createKey(dataDir, 'acme');
    acme2 = await createKey(dataDir, 'acme');
    beta = await createKey(dataDir, 'beta');
    server = await startTestServer({ UNFOLD_TOKEN_SECRET: SECRET }, { dataDir, logStream: log });
  });
  afterAll(async () => server.cleanup());

  const signed = (claims: Record<string, unknown>, secret: string, audience = 'unfold-stream', expiresAt: number = Math.floor(Date.now() / 1000) + 60) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setAudience(audience).setSubject(acme.keyId).setIssuedAt().setExpirationTime(expiresAt).sign(new TextEncoder().encode(secret));
  const keyPairSigned = async (alg: 'RS256' | 'ES256') => {
    const { publicKey, privateKey } = await generateKeyPair(alg);
    return new SignJWT({ tenant: 'acme', scope: 'tenant' }).setProtectedHeader({ alg, jwk: await exportJWK(publicKey) }).setAudience('unfold-stream').setSubject(acme.keyId).setExpirationTime('1m').sign(privateKey);
  };

  it('refuses every token it did not sign as it signs with invalid_token (401 on a stream, close 4001 on a socket), telling nothing, while serving another client', async () => {
    // A bystander of another tenant follows a run all along, over a key.
    const bystander = openSocket(`${server.wsUrl}/v1/ws`, { headers: bearer(beta.key) });
    await bystander.waitFor((frame) => frame.event_type === 'connected');
    bystander.socket.send(JSON.stringify({ type: 'subscribe', run_id: 'bystander-run' }));
    await bystander.waitFor((frame) => frame.event_type === 'subscribed');
    expect((await firehose(server, beta.key, 'bystander-run', 40, 25)).status).toBe(201);

    const valid = (await negotiate(server, acme.key, ['some-run'])).token;
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const widened = Buffer.from(JSON.stringify({ ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as object), scope: 'tenant' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const attacks: Record<string, string> = {
      'alg none': new UnsecuredJWT({ tenant: 'acme', scope: 'tenant' }).setAudience('unfold-stream').setSubject(acme.keyId).setExpirationTime(now + 60).encode(),
      'RS256 with the forger\'s key': await keyPairSigned('RS256'),
      'ES256 with the forger\'s key': await keyPairSigned('ES256'),
      'RS256 header on the server\'s signature': `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${payload}.${signature}`,
      'another secret': await signed({ tenant: 'acme', scope: 'tenant' }, 'a-secret-that-is-not-the-servers-0123456789'),
      'a tampered payload': `${header}.${widened}.${signature}`,
      'an expired token': await signed({ tenant: 'acme', scope: 'tenant' }, SECRET, 'unfold-stream', now - 5),
      'another audience': await signed({ tenant: 'acme', scope: 'tenant' }, SECRET, 'unfold-api'),
    };
    for (const [attack, token] of Object.entries(attacks)) {
      const stream = await fetch(`${server.url}/v1/runs/some-run/events?access_token=${token}`, { headers: { accept: 'text/event-stream' } });
      const body = (await stream.json()) as { code: string; message: string };
      expect({ attack, status: stream.status, code: body.code }).toEqual({ attack, status: 401, code: 'invalid_token' });
      expect(body.message, attack).toMatch(/^the stream token (is not valid|has expired; negotiate again)$/);
      for (const path of ['/v1/ws', '/v1/runs/some-run/ws']) {
        const socket = openSocket(`${server.wsUrl}${path}?access_token=${token}`);
        expect({ attack, path, close: (await socket.closed).code }).toEqual({ attack, path, close: CLOSE_CODES.unauthorized });
        expect(socket.frames, `${attack} on ${path}`).toEqual([expect.objectContaining({ event_type: 'error', code: 'invalid_token' })]);
      }
    }
    // The server signs as before, and the bystander got its whole run, gapless.
    expect((await pollWith(server, valid)).status).toBe(200);
    expect(wholeRun(bystander.frames, await bystander.waitFor(isTerminal))).toBe(true);
    expect(bystander.socket.readyState).toBe(WebSocket.OPEN);
    bystander.socket.close();
    // Nothing of a token or the secret reaches the log.
    const logged = lines.join('\n');
    for (const token of [...Object.values(attacks), valid]) expect(logged).not.toContain(token);
    expect(logged).not.toContain(SECRET);
  });

  it('refreshes a live socket: the subscription goes on with no gap and no duplicate, and the connection says until when', async () => {
    const first = await negotiate(server, acme.key);
    const socket = openSocket(`${server.wsUrl}/v1/ws?access_token=${first.token}`);
    await socket.waitFor((frame) => frame.event_type === 'connected');
    socket.socket.send(JSON.stringify({ type: 'subscribe', run_id: 'refreshed-run' }));
    await socket.waitFor((frame) => frame.event_type === 'subscribed');
    expect((await firehose(server, acme.key, 'refreshed-run', 40, 25)).status).toBe(201);
    await socket.waitFor((frame) => (frame.seq ?? 0) >= 5);
    const second = await negotiate(server, acme.key);
    socket.socket.send(JSON.stringify({ type: 'refresh', token: second.token }));
    const refreshed = await socket.waitFor((frame) => frame.event_type === 'refreshed');
    expect(refreshed).toEqual({ event_type: 'refreshed', expires_at: expect.any(String) });
    expect(Date.parse(refreshed['expires_at'] as string)).toBeGreaterThanOrEqual(Math.floor(Date.parse(first.expires_at) / 1000) * 1000);
    const terminal = await socket.waitFor(isTerminal);
    // Events kept coming on both sides of the refresh.
    const at = socket.frames.indexOf(refreshed);
    expect(stored(socket.frames.slice(0, at)).length).toBeGreaterThan(0);
    expect(stored(socket.frames.slice(at)).length).toBeGreaterThan(0);
    expect(wholeRun(socket.frames, terminal)).toBe(true);
    expect(socket.frames.filter((frame) => frame.event_type === 'error')).toEqual([]);
    socket.socket.close();
  });

  it('refuses a refresh that is not a valid token of the same tenant and key with an error frame, and keeps the socket on its old token', async () => {
    const { token } = await negotiate(server, acme.key);
    const socket = openSocket(`${server.wsUrl}/v1/ws?access_token=${token}`);
    await socket.waitFor((frame) => frame.event_type === 'connected');
    const refusals: Array<[string, string]> = [
      ['not-a-token', 'invalid_token'],
      [`${token}x`, 'invalid_token'],
      [new UnsecuredJWT({ tenant: 'acme', scope: 'tenant' }).setAudience('unfold-stream').setSubject(acme.keyId).setExpirationTime('1m').encode(), 'invalid_token'],
      [(await negotiate(server, beta.key)).token, 'forbidden'],
      [(await negotiate(server, acme2.key)).token, 'forbidden'],
    ];
    for (const [refresh, code] of refusals) {
      const errors = socket.frames.filter((frame) => frame.event_type === 'error').length;
      socket.socket.send(JSON.stringify({ type: 'refresh', token: refresh }));
      await socket.waitFor((frame) => frame.event_type === 'error' && socket.frames.filter((seen) => seen.event_type === 'error').length > errors);
      expect(socket.frames.at(-1)).toMatchObject({ event_type: 'error', code });
      expect(socket.frames.at(-1)?.['message']).not.toContain(refresh);
    }
    // A malformed refresh is a bad message like any other.
    socket.socket.send(JSON.stringify({ type: 'refresh' }));
    await socket.waitFor((frame) => frame.code === 'validation_failed');
    expect(socket.frames.some((frame) => frame.event_type === 'refreshed')).toBe(false);
    socket.socket.send(JSON.stringify({ type: 'ping' }));
    await socket.waitFor((frame) => frame.event_type === 'pong');
    socket.socket.close();

    // A socket opened with a key has no token to refresh.
    const keyed = openSocket(`${server.wsUrl}/v1/ws`, { headers: bearer(acme.key) });
    await keyed.waitFor((frame) => frame.event_type === 'connected');
    keyed.socket.send(JSON.stringify({ type: 'refresh', token }));
    expect(await keyed.waitFor((frame) => frame.event_type === 'error')).toMatchObject({ code: 'forbidden' });
    expect(keyed.socket.readyState).toBe(WebSocket.OPEN);
    keyed.socket.close();
    const audit = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['audit'] === 'refused' && line['route'] === '/v1/ws');
    expect(audit).toContainEqual(expect.objectContaining({ code: 'forbidden', tenant: 'acme', key_id: acme.keyId }));
  });

  it('narrows a socket to a refreshed token\'s scope: what it no longer covers ends with forbidden, the rest goes on', async () => {
    const socket = openSocket(`${server.wsUrl}/v1/ws?access_token=${(await negotiate(server, acme.key)).token}`);
    await socket.waitFor((frame) => frame.event_type === 'connected');
    for (const runId of ['kept-run', 'lost-run']) socket.socket.send(JSON.stringify({ type: 'subscribe', run_id: runId }));
    socket.socket.send(JSON.stringify({ type: 'watch_runs' }));
    await socket.waitFor((frame) => frame.event_type === 'subscribed' && frame.run_id === 'lost-run');
    socket.socket.send(JSON.stringify({ type: 'refresh', token: (await negotiate(server, acme.key, ['kept-run'])).token }));
    await socket.waitFor((frame) => frame.event_type === 'refreshed');
    await socket.waitFor((frame) => frame.event_type === 'error' && frame.run_id === undefined);
    expect(socket.frames.filter((frame) => frame.event_type === 'error')).toEqual([
      expect.objectContaining({ code: 'forbidden', run_id: 'lost-run' }),
      expect.objectContaining({ code: 'forbidden', message: expect.stringContaining('runs list') }),
    ]);
    for (const runId of ['kept-run', 'lost-run']) expect((await firehose(server, acme.key, runId, 3, 0)).status).toBe(201);
    await socket.waitFor(isTerminal);
    await sleep(200);
    expect(new Set(stored(socket.frames).map((frame) => frame.run_id))).toEqual(new Set(['kept-run']));
    expect(socket.frames.some((frame) => frame.event_type === 'run_updated' && frame.run_id === 'lost-run')).toBe(false);
    // Nor can it subscribe again to what the new token does not cover.
    socket.socket.send(JSON.stringify({ type: 'subscribe', run_id: 'lost-run' }));
    await socket.waitFor((frame) => frame.event_type === 'error' && frame.run_id === 'lost-run' && socket.frames.filter((seen) => seen.run_id === 'lost-run' && seen.event_type === 'error').length === 2);
    socket.socket.close();

    // A run socket is its run's: a token for another run closes it.
    const runSocket = openSocket(`${server.wsUrl}/v1/runs/run-socket-run/ws?access_token=${(await negotiate(server, acme.key, ['run-socket-run'])).token}`);
    await runSocket.waitFor((frame) => frame.event_type === 'connected');
    runSocket.socket.send(JSON.stringify({ type: 'refresh', token: (await negotiate(server, acme.key, ['another-run'])).token }));
    expect((await runSocket.closed).code).toBe(CLOSE_CODES.unauthorized);
    expect(runSocket.frames.at(-1)).toMatchObject({ event_type: 'error', code: 'forbidden' });
    // And a token that still covers the run keeps it open; other messages stay unknown there.
    const kept = openSocket(`${server.wsUrl}/v1/runs/run-socket-run/ws?access_token=${(await negotiate(server, acme.key, ['run-socket-run'])).token}`);
    await kept.waitFor((frame) => frame.event_type === 'connected');
    kept.socket.send(JSON.stringify({ type: 'refresh', token: (await negotiate(server, acme.key, ['run-socket-run', 'x'])).token }));
    await kept.waitFor((frame) => frame.event_type === 'refreshed');
    kept.socket.send(JSON.stringify({ type: 'subscribe', run_id: 'x' }));
    expect(await kept.waitFor((frame) => frame.event_type === 'error')).toMatchObject({ code: 'unknown_message' });
    expect(kept.socket.readyState).toBe(WebSocket.OPEN);
    kept.socket.close();
  });
});

describe('stream token expiry', () => {
  let server: TestServer;
  let acme: { key: string; keyId: string };
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-expiry-'));
    acme = await createKey(dataDir, 'acme');
    server = await startTestServer({ UNFOLD_TOKEN_TTL_S: '2' }, { dataDir });
  });
  afterAll(async () => server.cleanup());

  it('closes a socket whose token expires without a refresh with token_expired (4401), on both Unfold sockets, and leaves a key\'s socket open', async () => {
    const keyed = openSocket(`${server.wsUrl}/v1/ws`, { headers: bearer(acme.key) });
    await keyed.waitFor((frame) => frame.event_type === 'connected');
    const opened = Date.now();
    for (const path of ['/v1/ws', '/v1/runs/waiting-run/ws']) {
      const { token, expires_at } = await negotiate(server, acme.key, path === '/v1/ws' ? [] : ['waiting-run']);
      const socket = openSocket(`${server.wsUrl}${path}?access_token=${token}`);
      await socket.waitFor((frame) => frame.event_type === 'connected');
      expect(await socket.closed).toEqual({ code: CLOSE_CODES.token_expired, reason: 'token_expired' });
      expect(socket.frames.at(-1)).toMatchObject({ event_type: 'error', code: 'token_expired' });
      expect(Math.abs(Date.now() - Date.parse(expires_at))).toBeLessThan(1_500);
    }
    expect(Date.now() - opened).toBeGreaterThan(1_000);
    expect(keyed.socket.readyState).toBe(WebSocket.OPEN);
    keyed.socket.close();
  });

  it('keeps a socket open past its first token\'s expiry once refreshed, until the new token expires in turn', async () => {
    // Expiry is in whole seconds: just past a second's start, the first token lives nearly two.
    await sleep(1_020 - (Date.now() % 1_000));
    const first = await negotiate(server, acme.key);
    const socket = openSocket(`${server.wsUrl}/v1/ws?access_token=${first.token}`);
    await socket.waitFor((frame) => frame.event_type === 'connected');
    // A second later, the new token outlives the first.
    await sleep(1_100);
    const second = await negotiate(server, acme.key);
    expect(Date.parse(second.expires_at)).toBeGreaterThan(Date.parse(first.expires_at));
    socket.socket.send(JSON.stringify({ type: 'refresh', token: second.token }));
    await socket.waitFor((frame) => frame.event_type === 'refreshed');
    await sleep(Math.max(0, Date.parse(first.expires_at) - Date.now()) + 300);
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    expect((await socket.closed).code).toBe(CLOSE_CODES.token_expired);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(second.expires_at) - 1_000);
  });
});

describe('the SDK with short-lived stream tokens', () => {
  let server: TestServer;
  let acme: { key: string; keyId: string };
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-sdk-tokens-'));
    acme = await createKey(dataDir, 'acme');
    server = await startTestServer({ UNFOLD_TOKEN_TTL_S: '4' }, { dataDir });
  });
  afterAll(async () => server.cleanup());

  /** A run of about eight seconds: two token lifetimes. */
  const longRun = { pipeline: 'firehose', input: { events: 80, pause_every: 1, pause_ms: 100 } };
  const seqsOf = async (stream: AsyncIterable<{ seq: number }>) => {
    const seqs: number[] = [];
    for await (const event of stream) seqs.push(event.seq);
    return seqs;
  };
  const oneToLast = (seqs: number[]) => Array.from({ length: seqs.at(-1) ?? 0 }, (_, index) => index + 1);

  it('refreshes a live run socket and the runs feed before their tokens expire, with getToken: one connection each for a run twice as long as a token', async () => {
    let negotiations = 0;
    const countingFetch: typeof fetch = (input, init) => {
      if (String(input).endsWith('/v1/negotiate')) negotiations++;
      return fetch(input, init);
    };
    const client = createClient({ baseUrl: server.url, getToken: () => acme.key, fetch: countingFetch, transports: ['websocket'] });
    const feedStates: string[] = [];
    const updates: string[] = [];
    const feed = client.watchRuns({ update: (frame) => updates.push(`${frame.run_id}:${frame.status}`), state: (state) => feedStates.push(state) });
    await vi.waitFor(() => expect(feedStates).toContain('live'));
    const stream = client.runAndWatch({ ...longRun, run_id: 'sdk-refreshed' });
    const states: string[] = [];
    stream.on('state', (state) => states.push(state.status));
    const seqs = await seqsOf(stream);
    expect(seqs).toEqual(oneToLast(seqs));
    expect(states.filter((state) => state === 'live')).toHaveLength(1);
    expect(states).not.toContain('reconnecting');
    // The stream and the feed each renewed twice (every 3.2 s or so), on the connection they had.
    expect(negotiations).toBeGreaterThanOrEqual(2 + 4);
    await vi.waitFor(() => expect(updates).toContain('sdk-refreshed:completed'));
    expect(feedStates.filter((state) => state === 'live')).toHaveLength(1);
    feed.close();
  }, 20_000);

  it('when a token expires anyway (its refresh lost), reconnects on the close, negotiates and resumes with no gap and no duplicate', async () => {
    // A socket that never delivers a refresh: the server must close it as the token expires.
    class LosingRefreshes extends WebSocket {
      override send(data: string): void {
        if (!data.includes('"refresh"')) super.send(data);
      }
    }
    const client = createClient({ baseUrl: server.url, apiKey: acme.key, WebSocket: LosingRefreshes as unknown as WebSocketConstructor, transports: ['websocket'] });
    const stream = client.runAndWatch({ ...longRun, run_id: 'sdk-expired' });
    const reconnects: string[] = [];
    stream.on('state', (state) => {
      if (state.status === 'reconnecting') reconnects.push((state.error as UnfoldError).code);
    });
    const seqs = await seqsOf(stream);
    expect(seqs).toEqual(oneToLast(seqs));
    expect(reconnects.length).toBeGreaterThanOrEqual(1);
    expect(new Set(reconnects)).toEqual(new Set(['token_expired']));
  }, 20_000);
});

describe('the token secret', () => {
  it('is generated once into the data directory (mode 0600), so a token issued before a restart verifies after it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-secret-'));
    try {
      const { key } = await createKey(dataDir, 'acme');
      let server = await startTestServer({}, { dataDir });
      const { token } = await negotiate(server, key);
      await server.close();
      expect((await stat(join(dataDir, 'token-secret'))).mode & 0o777).toBe(0o600);
      server = await startTestServer({}, { dataDir });
      try {
        expect((await pollWith(server, token)).status).toBe(200);
      } finally {
        await server.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('rotates: with UNFOLD_TOKEN_SECRET_PREVIOUS the old secret\'s tokens still verify and new ones are signed with the new secret', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-rotation-'));
    const [oldSecret, newSecret] = ['old-secret-'.padEnd(40, 'o'), 'new-secret-'.padEnd(40, 'n')];
    const withServer = async <T>(env: Record<string, string>, work: (server: TestServer) => Promise<T>): Promise<T> => {
      const server = await startTestServer(env, { dataDir });
      try {
        return await work(server);
      } finally {
        await server.close();
      }
    };
    try {
      const { key } = await createKey(dataDir, 'acme');
      const oldToken = await withServer({ UNFOLD_TOKEN_SECRET: oldSecret }, async (server) => (await negotiate(server, key)).token);
      const newToken = await withServer({ UNFOLD_TOKEN_SECRET: newSecret, UNFOLD_TOKEN_SECRET_PREVIOUS: oldSecret }, async (server) => {
        expect((await pollWith(server, oldToken)).status).toBe(200);
        const { token } = await negotiate(server, key);
        expect((await pollWith(server, token)).status).toBe(200);
        return token;
      });
      await withServer({ UNFOLD_TOKEN_SECRET: newSecret }, async (server) => {
        expect((await pollWith(server, newToken)).status).toBe(200);
        expect(await pollWith(server, oldToken)).toMatchObject({ status: 401, body: { code: 'invalid_token' } });
      });
      await withServer({ UNFOLD_TOKEN_SECRET: oldSecret }, async (server) => {
        expect(await pollWith(server, newToken)).toMatchObject({ status: 401, body: { code: 'invalid_token' } });
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('browser origins', () => {
  let server: TestServer;
  let acme: { key: string; keyId: string };
  const ALLOWED = 'https://app.example';
  const FOREIGN = 'https://evil.example';
  const lines: string[] = [];
  const log = new PassThrough();
  log.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-origins-'));
    acme = await createKey(dataDir, 'acme');
    server = await startTestServer({ UNFOLD_ALLOWED_ORIGINS: ALLOWED }, { dataDir, logStream: log });
  });
  afterAll(async () => server.cleanup());
  const own = () => server.url;

  it('answers a CORS preflight with Access-Control-Allow-Origin only for an allowed origin', async () => {
    const preflight = (origin: string) => fetch(`${server.url}/v1/runs`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    const allowed = await preflight(ALLOWED);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const foreign = await preflight(FOREIGN);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ code: 'forbidden' });
  });

  it('refuses a request from a foreign origin with 403 forbidden before serving it, and serves its own origin, an allowed one and non-browsers', async () => {
    const runs = (headers: Record<string, string>) => fetch(`${server.url}/v1/runs`, { headers: { ...bearer(acme.key), ...headers } });
    const foreign = await runs({ origin: FOREIGN });
    expect(foreign.status).toBe(403);
    const body = (await foreign.json()) as { code: string; message: string };
    expect(body).toMatchObject({ code: 'forbidden', message: expect.stringContaining('UNFOLD_ALLOWED_ORIGINS') });
    expect(body.message).not.toContain(FOREIGN);
    expect((await fetch(`${server.url}/v1/runs`, { method: 'POST', headers: { origin: 'null', 'content-type': 'application/json', ...bearer(acme.key) }, body: '{"pipeline":"demo"}' })).status).toBe(403);
    expect((await runs({ origin: ALLOWED })).headers.get('access-control-allow-origin')).toBe(ALLOWED);
    for (const headers of [{ origin: ALLOWED }, { origin: own() }, {}] as Array<Record<string, string>>) expect((await runs(headers)).status, JSON.stringify(headers)).toBe(200);
    const audit = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['audit'] === 'refused');
    expect(audit).toContainEqual(expect.objectContaining({ code: 'forbidden', method: 'GET', route: '/v1/runs' }));
    expect(lines.join('\n')).not.toContain(acme.key);
  });

  it('refuses a WebSocket upgrade from a foreign origin with HTTP 403 on every socket route, and upgrades its own origin, an allowed one and non-browsers', async () => {
    for (const path of SOCKETS) {
      expect({ path, status: await upgradeStatus(`${server.wsUrl}${path}`, { origin: FOREIGN, ...bearer(acme.key) }) }).toEqual({ path, status: 403 });
      for (const origin of [own(), ALLOWED, undefined]) {
        const headers = { ...bearer(acme.key), ...(origin ? { origin } : {}) };
        expect({ path, origin, status: await upgradeStatus(`${server.wsUrl}${path}`, headers) }).toEqual({ path, origin, status: 101 });
      }
    }
  });
});

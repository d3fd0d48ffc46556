import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@unfold/client/node';
import { CLOSE_CODES, type RunUpdatedFrame } from '@unfold/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, createKey } from './test-keys.js';
import { openHttpStream } from './faults/http-stream-reader.js';
import { getJson, openSocket, parseNdjson, postJson, readStream, stored, type Frame } from './raw-clients.js';
import { startTestServer, type TestServer } from './test-server.js';

/**
 * docs/protocol.md, "Tenants": another tenant's run answers exactly as a run that does not
 * exist, on every route and transport, and run ids are the tenant's own. Acme owns runs;
 * Globex guesses their ids. Each answer Globex gets is compared with the answer for an id
 * nobody has (`NOBODY`), so a difference that would tell it an id is taken fails here.
 */
describe('tenant isolation', () => {
  let server: TestServer;
  let acme: Record<string, string>;
  let globex: Record<string, string>;
  const ACME_RUN = 'acme-invoice-7';
  const NOBODY = 'no-such-run-anywhere';

  /** The answer with the run id taken out, so two ids' answers compare equal when nothing else differs. */
  const anonymised = (body: unknown, runId: string) => JSON.parse(JSON.stringify(body).replaceAll(runId, '<id>')) as unknown;

  const create = async (headers: Record<string, string>, input: Record<string, unknown>, runId?: string) =>
    postJson(`${server.url}/v1/runs`, { pipeline: 'firehose', input, ...(runId ? { run_id: runId } : {}) }, headers);
  const eventsOf = async (runId: string, headers: Record<string, string>) =>
    stored(parseNdjson((await readStream(`${server.url}/v1/runs/${runId}/events`, 'application/x-ndjson', headers)).text));

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'unfold-tenants-'));
    acme = bearer((await createKey(dataDir, 'acme')).key);
    globex = bearer((await createKey(dataDir, 'globex')).key);
    server = await startTestServer({}, { dataDir });
    expect((await create(acme, { events: 5 }, ACME_RUN)).status).toBe(201);
    expect((await eventsOf(ACME_RUN, acme)).at(-1)?.event_type).toBe('processing_completed');
  });
  afterAll(async () => server.cleanup());

  it('lists only the caller\'s runs', async () => {
    const mine = await create(globex, { events: 1 });
    const listed = await getJson(`${server.url}/v1/runs?limit=100`, globex);
    const ids = (listed.body['runs'] as Array<{ run_id: string }>).map((run) => run.run_id);
    expect(ids).toContain(mine.body['run_id']);
    expect(ids).not.toContain(ACME_RUN);
    const acmeIds = ((await getJson(`${server.url}/v1/runs?limit=100`, acme)).body['runs'] as Array<{ run_id: string }>).map((run) => run.run_id);
    expect(acmeIds).toContain(ACME_RUN);
    expect(acmeIds).not.toContain(mine.body['run_id']);
  });

  it('answers get, cancel and image of another tenant\'s run with 404 run_not_found, as for an id nobody has', async () => {
    for (const [method, path] of [
      ['GET', ''],
      ['POST', '/cancel'],
      ['GET', '/image'],
    ] as const) {
      const answer = async (runId: string) => {
        const response = await fetch(`${server.url}/v1/runs/${runId}${path}`, { method, headers: globex });
        return { status: response.status, body: anonymised(await response.json(), runId) };
      };
      const guessed = await answer(ACME_RUN);
      expect(guessed, `${method} ${path}`).toMatchObject({ status: 404, body: { code: 'run_not_found' } });
      expect(guessed).toEqual(await answer(NOBODY));
    }
    // and the run is untouched: still there, still completed, for its owner
    expect((await getJson(`${server.url}/v1/runs/${ACME_RUN}`, acme)).body).toMatchObject({ run_id: ACME_RUN, status: 'completed', last_seq: 9 });
  });

  it('streams another tenant\'s run over SSE, NDJSON and long-poll exactly as a run that does not exist: a resync with no status, or nothing yet', async () => {
    for (const accept of ['text/event-stream', 'application/x-ndjson']) {
      const answer = async (runId: string) => anonymised((await readStream(`${server.url}/v1/runs/${runId}/events?after=2`, accept, globex)).text.replace(/"epoch":"[^"]*"/g, ''), runId);
      const guessed = await answer(ACME_RUN);
      expect(guessed).toEqual(await answer(NOBODY));
      expect(String(guessed)).toContain('"status":null');
      expect(String(guessed)).not.toContain('"seq"');
    }
    const poll = async (runId: string) => {
      const response = await getJson(`${server.url}/v1/runs/${runId}/events?wait=0`, { ...globex, accept: 'application/json' });
      return { status: response.status, body: anonymised(response.body, runId) };
    };
    const polled = await poll(ACME_RUN);
    expect(polled).toMatchObject({ status: 200, body: { status: null, events: [], last_seq: 0, done: false } });
    expect(polled).toEqual(await poll(NOBODY));
    const resumed = await getJson(`${server.url}/v1/runs/${ACME_RUN}/events?after=3&wait=0`, { ...globex, accept: 'application/json' });
    expect(resumed).toMatchObject({ status: 410, body: { code: 'resync_required', resync: { status: null, last_seq: 0 } } });
    // From the start, a stream of someone else's run waits for a run of that id in the caller's tenant: nothing of Acme's arrives.
    const waiting = openHttpStream(`${server.url}/v1/runs/${ACME_RUN}/events`, 'ndjson', globex);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waiting.frames.map((frame) => frame.event_type)).toEqual(['connected']);
    waiting.close();
  });

  it('streams another tenant\'s run over both WebSockets exactly as a run that does not exist', async () => {
    const perRun = async (runId: string) => {
      const socket = openSocket(`${server.wsUrl}/v1/runs/${runId}/ws?after=2`, { headers: globex });
      const { code } = await socket.closed;
      return { code, frames: anonymised(socket.frames.map(({ epoch: _epoch, ...frame }) => frame), runId) };
    };
    const guessed = await perRun(ACME_RUN);
    expect(guessed.code).toBe(CLOSE_CODES.subscription_ended);
    expect(guessed).toEqual(await perRun(NOBODY));

    const multiplexed = openSocket(`${server.wsUrl}/v1/ws`, { headers: globex });
    await multiplexed.waitFor((frame) => frame.event_type === 'connected');
    for (const runId of [ACME_RUN, NOBODY]) multiplexed.socket.send(JSON.stringify({ type: 'subscribe', run_id: runId, after: 2 }));
    await multiplexed.waitFor((frame) => frame.event_type === 'resync' && frame['run_id'] === NOBODY);
    const resyncs = multiplexed.frames.filter((frame) => frame.event_type === 'resync').map(({ epoch: _epoch, run_id: runId, ...frame }) => ({ ...frame, runId: runId === ACME_RUN ? 'guessed' : 'nobody' }));
    expect(resyncs).toEqual([
      { event_type: 'resync', reason: 'position_gone', status: null, last_seq: 0, runId: 'guessed' },
      { event_type: 'resync', reason: 'position_gone', status: null, last_seq: 0, runId: 'nobody' },
    ]);
    // from seq 0: subscribed, and nothing of Acme's run follows
    multiplexed.socket.send(JSON.stringify({ type: 'subscribe', run_id: ACME_RUN, after: 0 }));
    await multiplexed.waitFor((frame) => frame.event_type === 'subscribed' && frame['after'] === 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stored(multiplexed.frames)).toEqual([]);
    multiplexed.socket.close();
  });

  it('keeps run ids per tenant: two tenants create runs of one id, each reads its own, events name the id they chose', async () => {
    const id = 'shared-invoice';
    expect((await create(acme, { events: 3 }, id)).status).toBe(201);
    expect((await create(globex, { events: 6 }, id)).status).toBe(201);
    // the same id again in one tenant is taken; in the other it was not, so nobody learned anything
    expect(await create(globex, { events: 1 }, id)).toMatchObject({ status: 409, body: { code: 'run_exists' } });
    const [ofAcme, ofGlobex] = await Promise.all([eventsOf(id, acme), eventsOf(id, globex)]);
    expect(ofAcme.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ofGlobex.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const event of [...ofAcme, ...ofGlobex]) expect(event).toMatchObject({ run_id: id, event_id: `${id}:${event.seq}` });
    expect((await getJson(`${server.url}/v1/runs/${id}`, globex)).body).toMatchObject({ run_id: id, last_seq: 10 });
    // a resync names the run by its id, never by anything that would show how runs are stored
    const beyond = parseNdjson((await readStream(`${server.url}/v1/runs/${id}/events?after=99`, 'application/x-ndjson', globex)).text);
    expect(beyond.at(-1)).toMatchObject({ event_type: 'resync', run_id: id, status: 'completed', last_seq: 10 });
    const socket = openSocket(`${server.wsUrl}/v1/ws`, { headers: globex });
    await socket.opened;
    socket.socket.send(JSON.stringify({ type: 'subscribe', run_id: id, after: 8 }));
    await socket.waitFor((frame) => frame.event_type === 'processing_completed');
    expect(stored(socket.frames).map((frame: Frame) => [frame.run_id, frame.seq])).toEqual([
      [id, 9],
      [id, 10],
    ]);
    socket.socket.close();
  });

  it('lets a stream token reach its own tenant\'s run of an id and never another\'s', async () => {
    const { body } = await postJson(`${server.url}/v1/negotiate`, { run_ids: [ACME_RUN] }, globex);
    const token = String(body['token']);
    const guessed = parseNdjson((await readStream(`${server.url}/v1/runs/${ACME_RUN}/events?after=1&access_token=${token}`, 'application/x-ndjson')).text);
    expect(guessed.at(-1)).toMatchObject({ event_type: 'resync', status: null });
    expect(stored(guessed)).toEqual([]);
    // the same token, once Globex has a run of that id, reads Globex's run
    expect((await create(globex, { events: 2 }, ACME_RUN)).status).toBe(201);
    const own = stored(parseNdjson((await readStream(`${server.url}/v1/runs/${ACME_RUN}/events?access_token=${token}`, 'application/x-ndjson')).text));
    expect(own.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await getJson(`${server.url}/v1/runs/${ACME_RUN}`, acme)).body).toMatchObject({ last_seq: 9 });
  });

  it('tells a runs-list watcher of its own tenant\'s runs only', async () => {
    const frames: RunUpdatedFrame[] = [];
    let live!: () => void;
    const isLive = new Promise<void>((resolve) => (live = resolve));
    const feed = createClient({ baseUrl: server.url, apiKey: String(globex['authorization']).slice('Bearer '.length) }).watchRuns({ update: (frame) => frames.push(frame), live: () => live() });
    await isLive;
    await create(acme, { events: 1 }, 'acme-while-watched');
    await create(globex, { events: 1 }, 'globex-while-watched');
    await vi.waitFor(() => expect(frames.some((frame) => frame.run_id === 'globex-while-watched' && frame.status === 'completed')).toBe(true));
    expect(frames.map((frame) => frame.run_id)).not.toContain('acme-while-watched');
    feed.close();
  });

  it('scopes the seed receipt routes to the key\'s tenant', async () => {
    const seed = { 'x-api-key': String(acme['authorization']).slice('Bearer '.length) };
    expect((await postJson(`${server.url}/api/label-receipt/seed-receipt`, {}, seed)).status).toBe(200);
    expect((await getJson(`${server.url}/v1/runs/seed-receipt`, acme)).status).toBe(200);
    expect((await getJson(`${server.url}/v1/runs/seed-receipt`, globex)).body).toMatchObject({ code: 'run_not_found' });
    const socket = openSocket(`${server.wsUrl}/ws/receipt/seed-receipt`, { headers: globex });
    await socket.waitFor((frame) => frame.event_type === 'connected');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stored(socket.frames)).toEqual([]);
    socket.socket.close();
  });
});

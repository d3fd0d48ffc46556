import { isTerminalEventType } from '@unfold/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, openSocket, stored, type Frame } from '../raw-clients.js';
import { startTestServer, type TestServer } from '../test-server.js';
import { openHttpStream } from './http-stream-reader.js';
import { eventsToTheEnd, startRun } from './run-outcome.js';

/** One client of one run, however it is carried. */
interface StormClient {
  /** Settles once the server has accepted the subscription. */
  connected: Promise<unknown>;
  seen(): Frame[];
  /** Settles when the server has let the client go (after the terminal event). */
  done: Promise<unknown>;
  /** Drops the connection abruptly, as a network failure would. */
  drop(): void;
}

type Open = (server: TestServer, runId: string, after: number, index: number) => StormClient;

const overWebSocket: Open = (server, runId, after, index) => {
  // Half the clients take batched frames, half one frame per event.
  const client = openSocket(`${server.wsUrl}/v1/runs/${runId}/ws?after=${after}${index % 2 === 0 ? '&batch=1' : ''}`);
  // A dropped or refused socket reports it; the storm looks at what arrived, not how it closed.
  client.socket.on('error', () => undefined);
  client.opened.catch(() => undefined);
  const connected = client.waitFor((frame) => frame.event_type === 'connected', 30_000);
  connected.catch(() => undefined);
  return {
    connected,
    seen: () => stored(client.frames),
    done: client.closed,
    drop: () => client.socket.terminate(),
  };
};

const overSse: Open = (server, runId, after) => {
  const client = openHttpStream(`${server.url}/v1/runs/${runId}/events`, 'sse', after > 0 ? { 'last-event-id': String(after) } : {});
  client.response.catch(() => undefined);
  return { connected: client.response, seen: () => client.events, done: client.ended, drop: () => client.close() };
};

const openConnections = async (server: TestServer): Promise<number> => {
  const { body } = await getJson(`${server.url}/v1/stats`);
  return Object.values((body['streams'] as { connections: Record<string, number> }).connections).reduce((sum, count) => sum + count, 0);
};

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Follows a run from `after` to its terminal event as a client SDK does: a connection that
 * fails before the end (a storm of connects can overflow the listen backlog and be reset)
 * is opened again from the last seq held.
 */
async function followToTheEnd(open: Open, server: TestServer, runId: string, after: number, index: number): Promise<{ frames: Frame[]; retries: number }> {
  const frames: Frame[] = [];
  for (let retries = 0; retries <= 5; retries++) {
    const client = open(server, runId, frames.at(-1)?.seq ?? after, index);
    await client.done;
    frames.push(...client.seen());
    if (frames.some((frame) => isTerminalEventType(frame.event_type))) return { frames, retries };
  }
  throw new Error(`${runId}: no terminal event after 5 reconnections`);
}

/**
 * `clients` clients spread over `runs` firehose runs; once every one holds events, all are
 * dropped at once and all reconnect at once from their last seq. Each must end with every
 * event of its run exactly once, in order, through the terminal event.
 */
async function storm(server: TestServer, open: Open, { clients, runs, label }: { clients: number; runs: number; label: string }): Promise<void> {
  const runIds = Array.from({ length: runs }, (_, index) => `${label}-${index}-${Date.now()}`);
  const runOf = (index: number) => runIds[index % runs] as string;
  // Everyone is connected, a hundred at a time, before the runs start; each run then lasts
  // about six seconds, long enough to drop and reconnect everyone mid-run.
  const before: StormClient[] = [];
  while (before.length < clients) {
    const batch = Array.from({ length: Math.min(100, clients - before.length) }, (_, offset) => open(server, runOf(before.length + offset), 0, before.length + offset));
    await Promise.all(batch.map((client) => client.connected));
    before.push(...batch);
  }
  for (const runId of runIds) await startRun(server.url, runId, 'firehose', { events: 200, pause_every: 10, pause_ms: 300, padding: 64 });
  await until(() => before.every((client) => client.seen().length > 0), 'every client to hold an event');

  const held = before.map((client) => [...client.seen()]);
  for (const client of before) client.drop();
  expect(held.filter((frames) => frames.some((frame) => isTerminalEventType(frame.event_type)))).toHaveLength(0);
  const after = await Promise.all(held.map((frames, index) => followToTheEnd(open, server, runOf(index), frames.at(-1)?.seq ?? 0, index)));

  const logs = new Map(await Promise.all(runIds.map(async (runId) => [runId, (await eventsToTheEnd(server.url, runId)).map((event) => event.seq)] as const)));
  let incomplete = 0;
  for (const [index, { frames }] of after.entries()) {
    const seen = [...(held[index] ?? []), ...frames].map((frame) => frame.seq);
    if (JSON.stringify(seen) !== JSON.stringify(logs.get(runOf(index)))) incomplete++;
  }
  const retried = after.filter(({ retries }) => retries > 0).length;
  expect(incomplete, `${incomplete} of ${clients} clients missed or repeated events (${retried} reconnected more than once)`).toBe(0);
  for (const log of logs.values()) expect(log.length).toBeGreaterThan(200);

  expect((await getJson(`${server.url}/healthz`)).body).toEqual({ status: 'ok' });
  await until(async () => (await openConnections(server)) === 0, 'the open-connection count to return to 0', 10_000);
}

/**
 * The share of the storm's clients to open (default all): the mutation run, whose every
 * line is instrumented and which shares two cores, opens a tenth (UNFOLD_STORM_SHARE=0.1).
 */
const SHARE = Number(process.env['UNFOLD_STORM_SHARE'] ?? 1);
const clientsOf = (count: number) => Math.max(1, Math.round(count * SHARE));

describe('a reconnect storm', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Every run streams at once, none waits in the queue.
    server = await startTestServer({ UNFOLD_CONCURRENCY: '32' });
  });
  afterAll(async () => server?.cleanup());

  it('1,000 WebSocket clients dropped and reconnected at once from their last seq each get every event once, in order', async () => {
    await storm(server, overWebSocket, { clients: clientsOf(1_000), runs: 20, label: 'ws-storm' });
  }, 60_000);

  it('200 SSE clients dropped and reconnected at once with Last-Event-ID each get every event once, in order', async () => {
    await storm(server, overSse, { clients: clientsOf(200), runs: 20, label: 'sse-storm' });
  }, 60_000);
});

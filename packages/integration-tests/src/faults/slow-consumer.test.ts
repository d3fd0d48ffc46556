import { CLOSE_CODES } from '@unfold/protocol';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, openSocket, stored, type Frame } from '../raw-clients.js';
import { openHttpStream, type HttpStreamFormat } from './http-stream-reader.js';
import { eventsToTheEnd, startRun } from './run-outcome.js';
import { spawnServer, type ServerProcess } from './spawn-server.js';

const SEND_BUFFER_BYTES = 1024 * 1024;
/** Each run writes 2,000 events of 16 KB: 32 MB that a server buffering for a stalled reader would hold. */
const FIREHOSE = { events: 2_000, padding: 16_000 };
const RUN_BYTES = FIREHOSE.events * FIREHOSE.padding;

/** A client that stopped reading: `resume` reads again, `cutOff` settles with how the server let it go. */
interface StalledClient {
  ready: Promise<unknown>;
  seen(): Frame[];
  resume(): void;
  cutOff: Promise<string>;
}

function stalledSocket(server: ServerProcess, runId: string): StalledClient {
  const socket = openSocket(`${server.wsUrl}/v1/runs/${runId}/ws`);
  const raw = () => (socket.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  return {
    ready: socket.waitFor((frame) => frame.event_type === 'connected').then(() => raw().pause()),
    seen: () => stored(socket.frames),
    resume: () => raw().resume(),
    cutOff: socket.closed.then(({ code }) => String(code)),
  };
}

function stalledStream(server: ServerProcess, runId: string, format: HttpStreamFormat): StalledClient {
  const stream = openHttpStream(`${server.url}/v1/runs/${runId}/events`, format);
  let response: IncomingMessage | undefined;
  return {
    ready: stream.response.then((incoming) => {
      response = incoming;
      incoming.pause();
    }),
    seen: () => stream.events,
    resume: () => response?.resume(),
    cutOff: stream.ended.then(() => String(stream.frames.find((frame) => frame.event_type === 'error')?.['code'])),
  };
}

const slowConsumerDisconnects = async (server: ServerProcess): Promise<number> =>
  ((await getJson(`${server.url}/v1/stats`)).body['streams'] as { slow_consumer_disconnects: number }).slow_consumer_disconnects;

describe('a client that stops reading', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // Its own process, so its memory is measured alone.
    server = await spawnServer({ UNFOLD_SEND_BUFFER_BYTES: String(SEND_BUFFER_BYTES) }, { entry: 'firehose' });
  });
  afterAll(async () => server?.cleanup());

  it('is cut off over WebSocket (4008), SSE and NDJSON (slow_consumer) without the server holding what it could not send, and resumes exactly once', async () => {
    const stamp = Date.now();
    const runOf = (transport: string) => `stall-${transport}-${stamp}`;
    const watchers = {
      websocket: stalledSocket(server, runOf('websocket')),
      sse: stalledStream(server, runOf('sse'), 'sse'),
      ndjson: stalledStream(server, runOf('ndjson'), 'ndjson'),
    };
    await Promise.all(Object.values(watchers).map(({ ready }) => ready));
    const before = await server.memory();
    const disconnectsBefore = await slowConsumerDisconnects(server);
    for (const transport of Object.keys(watchers)) await startRun(server.url, runOf(transport), 'firehose', FIREHOSE);
    const logs = Object.fromEntries(await Promise.all(Object.keys(watchers).map(async (transport) => [transport, await eventsToTheEnd(server.url, runOf(transport))] as const)));
    // Every run has written all its events while its reader stood still.
    const after = await server.memory();
    expect(await slowConsumerDisconnects(server)).toBe(disconnectsBefore + 3);
    // What the server holds after a collection (heap and Buffers) stays flat (measured:
    // -1 MB); with the limit lifted to 256 MB it held 98 MB more, all that went unread.
    // RSS is reported, not bounded: the allocator keeps pages the server has freed.
    const heldGrowth = after.held - before.held;
    expect(heldGrowth, `the server holds ${Math.round(heldGrowth / 1e6)} MB more (RSS ${Math.round(before.rss / 1e6)} → ${Math.round(after.rss / 1e6)} MB) while ${(3 * RUN_BYTES) / 1e6} MB went unread`).toBeLessThan(RUN_BYTES / 4);

    for (const [transport, client] of Object.entries(watchers)) {
      client.resume();
      expect(await client.cutOff, transport).toBe(transport === 'websocket' ? String(CLOSE_CODES.slow_consumer) : 'slow_consumer');
      const log = logs[transport] ?? [];
      const held = client.seen();
      // It was cut off long before the end, holding the log's start, gapless.
      expect(held.length, transport).toBeLessThan(log.length / 2);
      expect(held.map((frame) => frame.seq), transport).toEqual(log.slice(0, held.length).map((frame) => frame.seq));
      const rest = await eventsToTheEnd(server.url, runOf(transport), held.at(-1)?.seq ?? 0);
      expect([...held, ...rest].map((frame) => frame.seq), transport).toEqual(log.map((frame) => frame.seq));
    }
  }, 60_000);
});

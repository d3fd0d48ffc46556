import { isTerminalEventType } from '@unfold/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, openSocket, stored, type Frame } from '../raw-clients.js';
import { openHttpStream } from './http-stream-reader.js';
import { eventsToTheEnd, startRun, terminalOf } from './run-outcome.js';
import { spawnServer, type ServerProcess } from './spawn-server.js';

const GRACE_S = 3;
const seqs = (frames: Frame[]) => frames.map((frame) => frame.seq);

/** What one client saw before the stop, as its resume point and frames. */
interface Watcher {
  runId: string;
  transport: 'websocket' | 'sse';
  seen: Frame[];
  /** How the server let it go: a WebSocket close code, or how the HTTP stream ended. */
  ending: string;
}

describe('SIGTERM while runs are streaming', () => {
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.cleanup();
  });

  it('drains within the grace period, ends every run with exactly one terminal event, and every client is whole after a restart', async () => {
    const env = { UNFOLD_SHUTDOWN_GRACE_S: String(GRACE_S), UNFOLD_CONCURRENCY: '6' };
    const first = await spawnServer(env);
    servers.push(first);
    // Six slots: three runs that finish well within the grace, three that cannot, two queued behind them.
    const stamp = Date.now();
    const quick = [1, 2, 3].map((index) => `quick-${index}-${stamp}`);
    const slow = [1, 2, 3].map((index) => `slow-${index}-${stamp}`);
    const queued = [1, 2].map((index) => `queued-${index}-${stamp}`);
    for (const runId of quick) await startRun(first.url, runId, 'demo', { pace: 1 });
    for (const runId of slow) await startRun(first.url, runId, 'demo', { pace: 10 });
    for (const runId of queued) await startRun(first.url, runId, 'demo', { pace: 1 });
    const all = [...quick, ...slow, ...queued];

    const sockets = all.map((runId) => ({ runId, client: openSocket(`${first.wsUrl}/v1/runs/${runId}/ws`) }));
    const streams = all.map((runId) => ({ runId, client: openHttpStream(`${first.url}/v1/runs/${runId}/events`, 'sse') }));
    await Promise.all(sockets.map(({ client }) => client.waitFor((frame) => frame.event_type === 'connected')));
    await Promise.all(streams.map(({ client }) => client.response));
    // Every run with a slot has begun its work before the signal.
    await Promise.all(sockets.filter(({ runId }) => !queued.includes(runId)).map(({ client }) => client.waitFor((frame) => frame.event_type === 'tool_started')));

    const signalled = Date.now();
    const exit = await first.stop('SIGTERM');
    const exitMs = Date.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan((GRACE_S + 4) * 1000);

    const watchers: Watcher[] = [
      ...(await Promise.all(sockets.map(async ({ runId, client }) => ({ runId, transport: 'websocket' as const, seen: stored(client.frames), ending: String((await client.closed).code) })))),
      ...(await Promise.all(streams.map(async ({ runId, client }) => ({ runId, transport: 'sse' as const, seen: [...client.events], ending: await client.ended })))),
    ];

    const second = await spawnServer(env, { dataDir: first.dataDir });
    servers.push(second);
    const logs = new Map<string, Frame[]>();
    for (const runId of all) {
      const log = await eventsToTheEnd(second.url, runId);
      expect(seqs(log), runId).toEqual(log.map((_, index) => index + 1));
      logs.set(runId, log);
      const { body } = await getJson(`${second.url}/v1/runs/${runId}`);
      expect(['completed', 'failed', 'cancelled'], `${runId} is ${String(body['status'])}`).toContain(body['status']);
    }
    for (const runId of quick) expect(terminalOf(logs.get(runId) ?? []).event_type, runId).toBe('processing_completed');
    // A run the shutdown stopped fails with its own code: a client tells it from a cancel.
    for (const runId of slow) expect(terminalOf(logs.get(runId) ?? []), runId).toMatchObject({ event_type: 'processing_failed', code: 'server_shutdown' });
    // A queued run is stopped the same way, or completed if a quick run freed its slot before the signal.
    for (const runId of queued) {
      const terminal = terminalOf(logs.get(runId) ?? []);
      if (terminal.event_type !== 'processing_completed') expect(terminal, runId).toMatchObject({ event_type: 'processing_failed', code: 'server_shutdown' });
    }

    for (const watcher of watchers) {
      const log = logs.get(watcher.runId) ?? [];
      const label = `${watcher.transport} watcher of ${watcher.runId} (ended ${watcher.ending})`;
      // What it saw is the log's start, gapless, with no duplicate.
      expect(seqs(watcher.seen), label).toEqual(seqs(log.slice(0, watcher.seen.length)));
      const sawTerminal = watcher.seen.some((frame) => isTerminalEventType(frame.event_type));
      if (sawTerminal) {
        expect(watcher.seen.at(-1)?.event_type, label).toMatch(/^processing_/);
        continue;
      }
      // Let go before its terminal event: the close says to come back (going away, or the stream ended).
      expect(['1001', 'end', 'aborted'], label).toContain(watcher.ending);
      const after = watcher.seen.at(-1)?.seq ?? 0;
      const rest = watcher.transport === 'websocket' ? openSocket(`${second.wsUrl}/v1/runs/${watcher.runId}/ws?after=${after}`) : openHttpStream(`${second.url}/v1/runs/${watcher.runId}/events`, 'sse', { 'last-event-id': String(after) });
      const resumed = 'closed' in rest ? (await rest.closed, stored(rest.frames)) : (await rest.ended, rest.events);
      expect(seqs([...watcher.seen, ...resumed]), label).toEqual(seqs(log));
    }
  }, 60_000);

  /** A client of a running run that stopped reading: nothing it is sent is taken any more. */
  const stalledWatcher = async (server: ServerProcess, runId: string, transport: 'websocket' | 'sse' | 'ndjson'): Promise<void> => {
    if (transport !== 'websocket') {
      (await openHttpStream(`${server.url}/v1/runs/${runId}/events`, transport).response).pause();
      return;
    }
    const socket = openSocket(`${server.wsUrl}/v1/runs/${runId}/ws`);
    await socket.waitFor((frame) => frame.event_type === 'connected');
    (socket.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  };

  it.each(['websocket', 'sse', 'ndjson'] as const)('does not wait on a %s client that stopped reading', async (transport) => {
    const server = await spawnServer({ UNFOLD_SHUTDOWN_GRACE_S: '1' });
    servers.push(server);
    const runId = `stalled-${transport}-${Date.now()}`;
    await startRun(server.url, runId, 'demo', { pace: 10 });
    await stalledWatcher(server, runId, transport);

    const signalled = Date.now();
    const exit = await server.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan((1 + 4) * 1000);
  }, 60_000);
});

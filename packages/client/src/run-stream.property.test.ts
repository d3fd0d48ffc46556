import { UnfoldError, type TransportName, type UnfoldEvent } from '@unfold/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunStream } from './run-stream.js';
import { negotiated } from './testing/negotiated.js';
import type { StreamFrame, Transport } from './transports/transport.js';
import { websocketTransport, type WebSocketConstructor } from './transports/websocket-transport.js';

/** Fixed so a failure replays exactly; fast-check prints the seed and path of any counterexample. */
const SEED = Number(process.env['UNFOLD_PROPERTY_SEED'] ?? 20_261_130);

/**
 * What one connection does, as the server and the network decide: how it opens (or fails
 * to, as a browser's `new WebSocket` throws on a blocked URL), how far before the resume
 * point the server starts again, duplicates, a lost event, a drop.
 */
const connectionArb = fc.record({
  opening: fc.constantFrom('async', 'async', 'async', 'ends-at-once', 'throws'),
  rewind: fc.nat(3),
  duplicates: fc.array(fc.nat(20), { maxLength: 3 }),
  lostAt: fc.option(fc.nat(20), { nil: undefined }),
  cutAfter: fc.option(fc.nat(20), { nil: undefined }),
  breaks: fc.boolean(),
  yields: fc.boolean(),
});
type ConnectionScript = typeof connectionArb extends fc.Arbitrary<infer T> ? T : never;
const HEALTHY: ConnectionScript = { opening: 'async', rewind: 0, duplicates: [], lostAt: undefined, cutAfter: undefined, breaks: false, yields: false };

const logOf = (total: number): UnfoldEvent[] =>
  Array.from({ length: total }, (_unused, index) => {
    const seq = index + 1;
    const common = { seq, run_id: 'run', event_id: `run:${seq}`, pipeline: 'demo', timestamp: '', metadata: {} };
    return (seq === total ? { ...common, event_type: 'processing_completed', duration_ms: 1, result: null } : { ...common, event_type: 'extraction_token', delta: 't', index: seq }) as UnfoldEvent;
  });

/**
 * A server holding `log`, reached over transports that each play the next script; once the
 * scripts run out every connection is healthy, so the run can always be finished.
 */
function scriptedServer(log: UnfoldEvent[], scripts: ConnectionScript[]) {
  const queue = [...scripts];
  const transport = (name: TransportName): Transport => ({
    name,
    open(request, sink) {
      const script = queue.shift() ?? HEALTHY;
      if (script.opening === 'throws') throw new UnfoldError('server_busy', `${name} cannot be opened here`);
      let closed = false;
      const connection = {
        close() {
          if (closed) return;
          closed = true;
          queueMicrotask(() => sink.end({}));
        },
      };
      if (script.opening === 'ends-at-once') {
        closed = true;
        sink.end({ error: new UnfoldError('server_busy', 'refused', { transient: true }) });
        return connection;
      }
      const after = Number(new URL(request.url).searchParams.get('after') ?? 0);
      let frames: StreamFrame[] = log.slice(Math.max(0, after - script.rewind));
      if (script.lostAt !== undefined) frames = frames.filter((_frame, index) => index !== script.lostAt);
      for (const at of script.duplicates) if (at < frames.length) frames.splice(at, 0, frames[at] as StreamFrame);
      const cut = script.cutAfter !== undefined && script.cutAfter < frames.length;
      if (cut) frames = frames.slice(0, script.cutAfter);
      void (async () => {
        await Promise.resolve();
        for (const frame of [{ event_type: 'connected', transport: name, epoch: 'e1' } as StreamFrame, ...frames]) {
          if (closed) return;
          sink.frame(frame);
          if (script.yields) await Promise.resolve();
        }
        if (closed) return;
        // Whatever is left, the server ends the connection: cut short, or after its last event.
        closed = true;
        sink.end(cut && script.breaks ? { error: new UnfoldError('server_busy', 'connection lost', { transient: true }) } : {});
      })();
      return connection;
    },
  });
  return [transport('websocket'), transport('sse'), transport('long-poll')];
}

function streamOver(transports: Transport[]): RunStream {
  return new RunStream('run', {
    baseUrl: 'http://unfold.test',
    fetch: globalThis.fetch,
    headers: {},
    transports,
    reconnect: { initialDelayMs: 0, maxDelayMs: 1, maxAttempts: 1_000 },
    negotiate: async () => negotiated,
  });
}

/** The terminal event's seq, or 'stuck' when the stream neither ends nor fails. */
const outcomeOf = (stream: RunStream) => Promise.race([stream.done.then((event) => event.seq), new Promise((resolve) => setTimeout(() => resolve('stuck'), 2_000))]);

describe('RunStream (property)', () => {
  it('hands the application every event once, in order, whatever the connections do: duplicates, losses, drops, refusals', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 25 }), fc.array(connectionArb, { maxLength: 10 }), async (total, scripts) => {
        const log = logOf(total);
        const stream = streamOver(scriptedServer(log, scripts));
        const handed: number[] = [];
        stream.on('event', (event) => handed.push(event.seq));
        const iterated: number[] = [];
        const iterating = (async () => {
          for await (const event of stream) iterated.push(event.seq);
        })();
        const outcome = await outcomeOf(stream);
        stream.close();
        await iterating;
        expect(outcome).toBe(total);
        expect(handed).toEqual(log.map((event) => event.seq));
        expect(iterated).toEqual(handed);
        expect(stream.state).toMatchObject({ status: 'closed', reason: 'completed' });
      }),
      { seed: SEED, numRuns: 300 },
    );
  }, 120_000);

  it('falls back to the next transport when the WebSocket constructor throws, as a browser does for a blocked URL', async () => {
    const BlockedWebSocket = function () {
      throw new DOMException('ws:// from an https page', 'SecurityError');
    } as unknown as WebSocketConstructor;
    const [, sse] = scriptedServer(logOf(3), []);
    const stream = streamOver([websocketTransport(BlockedWebSocket), sse as Transport]);
    expect(await outcomeOf(stream)).toBe(3);
    expect(stream.state).toMatchObject({ status: 'closed', reason: 'completed' });
  });
});

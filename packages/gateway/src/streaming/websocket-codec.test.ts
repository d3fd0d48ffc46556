import { CLOSE_CODES, UnfoldError, type UnfoldEvent } from '@unfold/protocol';
import type { WebSocket } from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketCodec } from './websocket-codec.js';

/** What the codec does to its socket: frames sent (parsed), pings, the close, a terminate. */
function fakeSocket() {
  const sent: unknown[] = [];
  const calls = { pings: 0, terminated: false, closed: undefined as { code: number; reason: string } | undefined };
  const socket = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send: (data: string | Buffer) => sent.push(JSON.parse(data.toString())),
    ping: () => calls.pings++,
    close: (code: number, reason: string) => (calls.closed = { code, reason }),
    terminate: () => (calls.terminated = true),
    once: () => undefined,
  };
  return { socket, sent, calls, codec: (batch = false) => new WebSocketCodec(socket as unknown as WebSocket, 'websocket', batch) };
}

const event = (seq: number): UnfoldEvent => ({ event_type: 'extraction_token', seq, run_id: 'run', event_id: `run:${seq}`, pipeline: 'demo', timestamp: '', metadata: {}, delta: 't', index: seq }) as UnfoldEvent;
const seqs = (frame: unknown) => (Array.isArray(frame) ? frame.map((item: { seq: number }) => item.seq) : (frame as { seq: number }).seq);

describe('WebSocketCodec', () => {
  afterEach(() => vi.useRealTimers());

  it('sends each event as its own frame without batch', () => {
    const { sent, codec } = fakeSocket();
    const plain = codec();
    for (const seq of [1, 2]) plain.writeEvent(event(seq));
    expect(sent.map(seqs)).toEqual([1, 2]);
  });

  it('with batch, sends one tick\'s events as one array frame after the tick, a lone event as itself, and at most 64 to a frame', async () => {
    const { sent, codec } = fakeSocket();
    const batched = codec(true);
    for (let seq = 1; seq <= 130; seq++) batched.writeEvent(event(seq));
    // two full frames went at once; the rest waits for the end of the tick
    expect(sent.map((frame) => (frame as unknown[]).length)).toEqual([64, 64]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.map(seqs).at(-1)).toEqual([129, 130]);
    batched.writeEvent(event(131));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.at(-1)).toMatchObject({ seq: 131 });
    // a second tick is flushed too: the schedule is set again after each flush
    for (const seq of [132, 133]) batched.writeEvent(event(seq));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.map(seqs).flat()).toEqual(Array.from({ length: 133 }, (_, index) => index + 1));
    expect(sent).toHaveLength(5);
  });

  it('pings as its heartbeat only while the socket is open', () => {
    const { socket, calls, codec } = fakeSocket();
    const heartbeat = codec();
    heartbeat.writeHeartbeat();
    expect(calls.pings).toBe(1);
    socket.readyState = 3;
    heartbeat.writeHeartbeat();
    expect(calls.pings).toBe(1);
  });

  it('sends nothing that was waiting for the end of the tick once it has ended', async () => {
    const { sent, codec } = fakeSocket();
    const batched = codec(true);
    batched.writeEvent(event(1));
    batched.end({ reason: 'client_gone' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([]);
  });

  it('closes with the code and reason of each ending, the frame that explains it first', () => {
    const endings = [
      [{ reason: 'finished' }, CLOSE_CODES.normal, 'run finished'],
      [{ reason: 'resync', frame: { event_type: 'resync', run_id: 'run', reason: 'position_gone', status: null, epoch: 'e', last_seq: 0 } }, CLOSE_CODES.subscription_ended, 'resync'],
      [{ reason: 'failed', error: new UnfoldError('storage_unavailable', 'disk full'), runId: 'run' }, CLOSE_CODES.subscription_ended, 'storage_unavailable'],
      [{ reason: 'refused', error: new UnfoldError('rate_limited', 'slow down', { details: { retry_after_ms: 1_000 } }) }, CLOSE_CODES.rate_limited, 'rate_limited'],
    ] as const;
    for (const [ending, code, reason] of endings) {
      const { sent, calls, codec } = fakeSocket();
      codec().end(ending);
      expect(calls.closed).toEqual({ code, reason });
      if (ending.reason === 'failed') expect(sent).toEqual([{ event_type: 'error', code: 'storage_unavailable', message: 'disk full', run_id: 'run' }]);
      if (ending.reason === 'refused') expect(sent).toEqual([{ event_type: 'error', code: 'rate_limited', message: 'slow down', retry_after_ms: 1_000 }]);
    }
  });

  it('closes a slow consumer with 4008 and drops it if it has not read up to the close in 5 s', () => {
    vi.useFakeTimers();
    const { calls, codec } = fakeSocket();
    codec().end({ reason: 'slow_consumer' });
    expect(calls.closed).toEqual({ code: CLOSE_CODES.slow_consumer, reason: 'slow_consumer' });
    vi.advanceTimersByTime(4_999);
    expect(calls.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(calls.terminated).toBe(true);
  });
});

import { UnfoldError, type TransportName, type UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from './connection-state.js';
import { RunStream, type RunStreamDeps, type WatchOptions } from './run-stream.js';
import { negotiated } from './testing/negotiated.js';
import type { StreamFrame, Transport, TransportRequest, TransportSink } from './transports/transport.js';

/** A transport whose connections the test drives frame by frame. */
function scriptedTransport(name: TransportName) {
  const connections: Array<{ request: TransportRequest; sink: TransportSink; closed: boolean }> = [];
  const transport: Transport = {
    name,
    open(request, sink) {
      const connection = { request, sink, closed: false };
      connections.push(connection);
      return {
        close: () => {
          connection.closed = true;
          sink.end({});
        },
      };
    },
  };
  return { transport, connections };
}

function streamOver(transports: Transport[], after = 0, deps: Partial<RunStreamDeps> = {}, options: WatchOptions = {}) {
  return new RunStream(
    'run',
    {
      baseUrl: 'http://unfold.test',
      fetch: globalThis.fetch,
      headers: {},
      transports,
      reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 20 },
      negotiate: async () => negotiated,
      ...deps,
    },
    { after, ...options },
  );
}

const event = (seq: number, event_type = 'tool_progress'): StreamFrame =>
  ({ event_type, seq, run_id: 'run', event_id: `run:${seq}`, pipeline: 'demo', timestamp: '', metadata: {}, tool_name: 't', status: 'running', progress: seq, duration_ms: 1, result: null }) as unknown as StreamFrame;
const connected: StreamFrame = { event_type: 'connected', transport: 'websocket', epoch: 'e1' };
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('RunStream', () => {
  it('delivers each seq once, in order, and resumes after a drop with after and epoch', async () => {
    const ws = scriptedTransport('websocket');
    const stream = streamOver([ws.transport]);
    const seen: number[] = [];
    stream.on('event', (received) => seen.push(received.seq));
    await tick();
    const first = ws.connections[0]!;
    first.sink.frame(connected);
    for (const seq of [1, 2, 2, 3]) first.sink.frame(event(seq));
    first.sink.end({});
    await tick();
    const second = ws.connections[1]!;
    expect(new URL(second.request.url).searchParams.get('after')).toBe('3');
    expect(new URL(second.request.url).searchParams.get('epoch')).toBe('e1');
    second.sink.frame(connected);
    for (const seq of [2, 3, 4]) second.sink.frame(event(seq));
    second.sink.frame(event(5, 'processing_completed'));
    expect((await stream.done).seq).toBe(5);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('treats a gap as a broken connection and resumes instead of delivering out of order', async () => {
    const ws = scriptedTransport('websocket');
    const stream = streamOver([ws.transport]);
    const seen: number[] = [];
    stream.on('event', (received) => seen.push(received.seq));
    await tick();
    ws.connections[0]!.sink.frame(connected);
    ws.connections[0]!.sink.frame(event(1));
    ws.connections[0]!.sink.frame(event(3));
    expect(ws.connections[0]!.closed).toBe(true);
    await tick();
    expect(new URL(ws.connections[1]!.request.url).searchParams.get('after')).toBe('1');
    expect(seen).toEqual([1]);
    stream.close();
  });

  it('falls back to the next transport when one never connects', async () => {
    const ws = scriptedTransport('websocket');
    const sse = scriptedTransport('sse');
    const stream = streamOver([ws.transport, sse.transport]);
    const states: string[] = [];
    stream.on('state', (state) => states.push(`${state.status}:${'transport' in state ? state.transport : ''}`));
    await tick();
    ws.connections[0]!.sink.end({});
    await tick();
    sse.connections[0]!.sink.frame({ ...connected, transport: 'sse' });
    expect(states).toContain('live:sse');
    stream.close();
  });

  it('on resync tells the app and starts again from seq 1 in the new epoch', async () => {
    const ws = scriptedTransport('websocket');
    const stream = streamOver([ws.transport], 7);
    const resyncs: string[] = [];
    stream.on('resync', (frame) => resyncs.push(frame.reason));
    await tick();
    expect(new URL(ws.connections[0]!.request.url).searchParams.get('after')).toBe('7');
    ws.connections[0]!.sink.frame({ event_type: 'resync', run_id: 'run', reason: 'epoch_changed', status: 'completed', epoch: 'e2', last_seq: 3 });
    ws.connections[0]!.sink.end({});
    await tick();
    const url = new URL(ws.connections[1]!.request.url);
    expect(url.searchParams.get('after')).toBeNull();
    expect(resyncs).toEqual(['epoch_changed']);
    stream.close();
  });

  it('ends the async iterator after the terminal event and closes the stream on early break', async () => {
    const ws = scriptedTransport('websocket');
    const stream = streamOver([ws.transport]);
    await tick();
    ws.connections[0]!.sink.frame(connected);
    for (const seq of [1, 2, 3]) ws.connections[0]!.sink.frame(event(seq));
    const read: UnfoldEvent[] = [];
    for await (const received of stream) {
      read.push(received);
      if (received.seq === 2) break;
    }
    expect(read.map((received) => received.seq)).toEqual([1, 2]);
    expect(stream.state).toMatchObject({ status: 'closed', reason: 'closed' });
    expect(ws.connections[0]!.closed).toBe(true);
    await expect(stream.done).rejects.toMatchObject({ code: 'cancelled', message: 'the stream was closed' });
  });

  describe('the query of each connection', () => {
    const queryOf = (connection: { request: TransportRequest } | undefined) => new URL(connection!.request.url).searchParams;

    it('names the position and epoch only once it holds events, and always the token', async () => {
      const ws = scriptedTransport('websocket');
      const stream = streamOver([ws.transport]);
      await tick();
      expect(queryOf(ws.connections[0]).get('after')).toBeNull();
      expect(queryOf(ws.connections[0]).get('access_token')).toBe('token');
      ws.connections[0]!.sink.frame(connected);
      ws.connections[0]!.sink.end({});
      await tick();
      // it has an epoch but nothing of it: a resume point would be seq 0 of that epoch
      expect(queryOf(ws.connections[1]).get('epoch')).toBeNull();
      expect(queryOf(ws.connections[1]).get('after')).toBeNull();
      stream.close();
    });

    it('asks for the chosen types and for batching on WebSocket only', async () => {
      const ws = scriptedTransport('websocket');
      const sse = scriptedTransport('sse');
      const stream = streamOver([ws.transport, sse.transport], 0, {}, { types: ['tool_progress', 'validation_result'], batch: true });
      await tick();
      expect(queryOf(ws.connections[0]).get('types')).toBe('tool_progress,validation_result');
      expect(queryOf(ws.connections[0]).get('batch')).toBe('1');
      ws.connections[0]!.sink.end({});
      await tick();
      expect(queryOf(sse.connections[0]).get('types')).toBe('tool_progress,validation_result');
      expect(queryOf(sse.connections[0]).get('batch')).toBeNull();
      stream.close();
    });

    it('leaves types and batch out when not asked for', async () => {
      const ws = scriptedTransport('websocket');
      const stream = streamOver([ws.transport], 0, {}, { types: [] });
      await tick();
      expect(queryOf(ws.connections[0]).has('types')).toBe(false);
      expect(queryOf(ws.connections[0]).has('batch')).toBe(false);
      expect(ws.connections[0]!.request.url.startsWith('http://unfold.test/v1/runs/run/websocket?')).toBe(true);
      stream.close();
    });
  });

  it('with a types filter, delivers the filtered events though their seqs have gaps', async () => {
    const ws = scriptedTransport('websocket');
    const stream = streamOver([ws.transport], 0, {}, { types: ['tool_progress'] });
    const seen: number[] = [];
    stream.on('tool_progress', (received) => seen.push(received.seq));
    await tick();
    ws.connections[0]!.sink.frame(connected);
    for (const seq of [2, 5, 5, 9]) ws.connections[0]!.sink.frame(event(seq));
    ws.connections[0]!.sink.frame(event(12, 'processing_completed'));
    expect((await stream.done).seq).toBe(12);
    expect(seen).toEqual([2, 5, 9]);
    expect(ws.connections).toHaveLength(1);
  });

  describe('retries and fallback', () => {
    const statesOf = (stream: RunStream) => {
      const states: ConnectionState[] = [];
      stream.on('state', (state) => states.push(state));
      return states;
    };

    it('falls through to the next transport at once and waits only after a full round failed', async () => {
      const ws = scriptedTransport('websocket');
      const sse = scriptedTransport('sse');
      const stream = streamOver([ws.transport, sse.transport], 0, { reconnect: { initialDelayMs: 40, maxDelayMs: 40, maxAttempts: 20 } });
      const states = statesOf(stream);
      await tick();
      ws.connections[0]!.sink.end({});
      expect(states.at(-1)).toMatchObject({ status: 'reconnecting', transport: 'websocket', attempt: 1, delayMs: 0 });
      await tick();
      sse.connections[0]!.sink.end({});
      const waited = states.at(-1) as ConnectionState & { status: 'reconnecting' };
      expect(waited).toMatchObject({ status: 'reconnecting', transport: 'sse', attempt: 2 });
      expect(waited.delayMs).toBeGreaterThanOrEqual(20);
      expect(waited.error).toMatchObject({ code: 'server_busy', message: 'the connection ended before the run did', transient: true });
      await tick();
      expect(ws.connections).toHaveLength(1); // still waiting out the backoff
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(ws.connections).toHaveLength(2);
      stream.close();
    });

    it('after a live connection drops, waits before reconnecting to the same transport', async () => {
      const ws = scriptedTransport('websocket');
      const sse = scriptedTransport('sse');
      const stream = streamOver([ws.transport, sse.transport], 0, { reconnect: { initialDelayMs: 40, maxDelayMs: 40, maxAttempts: 20 } });
      const states = statesOf(stream);
      await tick();
      ws.connections[0]!.sink.frame(connected);
      ws.connections[0]!.sink.end({});
      expect(states.at(-1)).toMatchObject({ status: 'reconnecting', transport: 'websocket', attempt: 1 });
      expect((states.at(-1) as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(20);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(ws.connections).toHaveLength(2);
      expect(sse.connections).toHaveLength(0);
      stream.close();
    });

    it('gives up after maxAttempts failures in a row with the last error, and a live connection starts the count again', async () => {
      const ws = scriptedTransport('websocket');
      const stream = streamOver([ws.transport], 0, { reconnect: { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 2 } });
      const errors: string[] = [];
      stream.on('error', (error) => errors.push(error.code));
      await tick();
      ws.connections[0]!.sink.end({ error: new UnfoldError('server_busy', 'one', { transient: true }) });
      await tick();
      ws.connections[1]!.sink.frame(connected); // live again: the count starts over
      ws.connections[1]!.sink.end({ error: new UnfoldError('server_busy', 'two', { transient: true }) });
      await tick();
      ws.connections[2]!.sink.end({ error: new UnfoldError('server_busy', 'three', { transient: true }) });
      await tick();
      expect(stream.state.status).not.toBe('closed'); // two failures in a row: one more try
      ws.connections[3]!.sink.end({ error: new UnfoldError('storage_unavailable', 'four', { transient: true }) });
      await expect(stream.done).rejects.toMatchObject({ code: 'storage_unavailable', message: 'four' });
      expect(stream.state).toMatchObject({ status: 'closed', reason: 'failed' });
      expect(errors).toEqual(['storage_unavailable']);
      await tick();
      expect(ws.connections).toHaveLength(4);
    });

    it('retries a negotiation that failed for a transient reason', async () => {
      const ws = scriptedTransport('websocket');
      const negotiate = vi.fn().mockRejectedValueOnce(new Error('socket hang up')).mockResolvedValue(negotiated);
      const stream = streamOver([ws.transport], 0, { negotiate });
      const states = statesOf(stream);
      await tick();
      await tick();
      expect(negotiate).toHaveBeenCalledTimes(2);
      expect(states[0]).toMatchObject({ status: 'reconnecting', transport: undefined, attempt: 1 });
      expect((states[0] as { delayMs: number }).delayMs).toBeGreaterThan(0); // waited, not hammered
      expect((states[0] as { error: Error }).error).toMatchObject({ code: 'server_busy', message: 'socket hang up', transient: true });
      expect(ws.connections).toHaveLength(1);
      stream.close();
    });

    it('falls back when a transport throws while opening', async () => {
      const sse = scriptedTransport('sse');
      const throwing: Transport = {
        name: 'websocket',
        open() {
          throw new Error('blocked URL');
        },
      };
      const stream = streamOver([throwing, sse.transport]);
      const states = statesOf(stream);
      await tick();
      expect(states.find((state) => state.status === 'reconnecting')).toMatchObject({ transport: 'websocket', delayMs: 0, error: { code: 'server_busy', message: 'blocked URL', transient: true } });
      expect(sse.connections).toHaveLength(1);
      stream.close();
    });
  });

  describe('answers that retrying cannot change', () => {
    for (const status of [400, 401, 403, 404, 406, 413, 415, 422]) {
      it(`fails at once when the negotiation answers ${status}`, async () => {
        const error = new UnfoldError('unauthorized', `status ${status}`, { details: { status } });
        const negotiate = vi.fn().mockRejectedValue(error);
        const stream = streamOver([scriptedTransport('websocket').transport], 0, { negotiate });
        await expect(stream.done).rejects.toBe(error);
        expect(stream.state).toMatchObject({ status: 'closed', reason: 'failed', error });
        await tick();
        expect(negotiate).toHaveBeenCalledTimes(1);
      });
    }

    it('fails when a connection ends with a fatal status', async () => {
      const ws = scriptedTransport('websocket');
      const stream = streamOver([ws.transport]);
      await tick();
      ws.connections[0]!.sink.end({ error: new UnfoldError('run_not_found', 'no such run', { details: { status: 404 } }) });
      await expect(stream.done).rejects.toMatchObject({ code: 'run_not_found' });
      await tick();
      expect(ws.connections).toHaveLength(1);
    });

    it('renegotiates an expired stream token, and retries a 5xx, instead of failing', async () => {
      const ws = scriptedTransport('websocket');
      const negotiate = vi.fn(async () => negotiated);
      const stream = streamOver([ws.transport], 0, { negotiate });
      await tick();
      ws.connections[0]!.sink.end({ error: new UnfoldError('invalid_token', 'expired', { details: { status: 401 } }) });
      await tick();
      ws.connections[1]!.sink.end({ error: new UnfoldError('internal_error', 'boom', { details: { status: 500 } }) });
      await tick();
      expect(ws.connections).toHaveLength(3);
      expect(negotiate).toHaveBeenCalledTimes(3);
      expect(stream.state.status).not.toBe('closed');
      stream.close();
    });

    it('fails with not_acceptable when the server offers none of the allowed transports', async () => {
      const stream = streamOver([scriptedTransport('websocket').transport], 0, {
        negotiate: async () => ({ ...negotiated, transports: negotiated.transports.filter((entry) => entry.transport !== 'websocket') }),
      });
      await expect(stream.done).rejects.toMatchObject({ code: 'not_acceptable', message: 'the server offers none of the transports this client allows' });
    });
  });

  it('a resync with no status (the run is gone) fails the stream with resync_required', async () => {
    const ws = scriptedTransport('websocket');
    const stream = streamOver([ws.transport], 4);
    await tick();
    ws.connections[0]!.sink.frame({ event_type: 'resync', run_id: 'run', reason: 'position_gone', status: null, epoch: 'e2', last_seq: 0 });
    await expect(stream.done).rejects.toMatchObject({ code: 'resync_required', message: 'run run is no longer held by the server' });
    expect(ws.connections[0]!.closed).toBe(true);
    expect(stream.state).toMatchObject({ status: 'closed', reason: 'failed' });
  });

  it('hands error frames to the app as transient errors and stays connected', async () => {
    const ws = scriptedTransport('websocket');
    const stream = streamOver([ws.transport]);
    const errors: UnfoldError[] = [];
    stream.on('error', (error) => errors.push(error));
    await tick();
    ws.connections[0]!.sink.frame(connected);
    ws.connections[0]!.sink.frame({ event_type: 'error', code: 'rate_limited', message: 'slow down' } as StreamFrame);
    ws.connections[0]!.sink.frame({ event_type: 'error', code: 'no_such_code', message: 'odd' } as unknown as StreamFrame);
    expect(errors.map((error) => [error.code, error.message, error.transient, error.details?.['transport']])).toEqual([
      ['rate_limited', 'slow down', true, 'websocket'],
      ['internal_error', 'odd', true, 'websocket'],
    ]);
    expect(ws.connections[0]!.closed).toBe(false);
    stream.close();
  });

  it('keeps delivering to other handlers when one throws', async () => {
    const ws = scriptedTransport('websocket');
    const stream = streamOver([ws.transport]);
    const seen: number[] = [];
    stream.on('event', () => {
      throw new Error('app bug');
    });
    stream.on('event', (received) => seen.push(received.seq));
    await tick();
    ws.connections[0]!.sink.frame(connected);
    ws.connections[0]!.sink.frame(event(1));
    ws.connections[0]!.sink.frame(event(2, 'processing_completed'));
    await stream.done;
    expect(seen).toEqual([1, 2]);
  });

  it('an unsubscribed handler hears nothing more', async () => {
    const ws = scriptedTransport('websocket');
    const stream = streamOver([ws.transport]);
    const seen: number[] = [];
    const off = stream.on('event', (received) => seen.push(received.seq));
    await tick();
    ws.connections[0]!.sink.frame(connected);
    ws.connections[0]!.sink.frame(event(1));
    off();
    ws.connections[0]!.sink.frame(event(2));
    expect(seen).toEqual([1]);
    expect(stream.lastSeq).toBe(2);
    stream.close();
  });

  describe('after the end', () => {
    it('closed before it connected, it never negotiates', async () => {
      const negotiate = vi.fn(async () => negotiated);
      const stream = streamOver([scriptedTransport('websocket').transport], 0, { negotiate });
      stream.close();
      await tick();
      expect(negotiate).not.toHaveBeenCalled();
      await expect(stream.done).rejects.toMatchObject({ code: 'cancelled' });
    });

    it('closed while negotiating, it opens no connection', async () => {
      const ws = scriptedTransport('websocket');
      let answer!: (response: typeof negotiated) => void;
      const stream = streamOver([ws.transport], 0, { negotiate: () => new Promise((resolve) => (answer = resolve)) });
      await tick();
      stream.close();
      answer(negotiated);
      await tick();
      expect(ws.connections).toHaveLength(0);
    });

    it('closed while a negotiation fails, it stays closed and does not retry', async () => {
      let refuse!: (error: Error) => void;
      const negotiate = vi.fn(() => new Promise<typeof negotiated>((_resolve, reject) => (refuse = reject)));
      const stream = streamOver([scriptedTransport('websocket').transport], 0, { negotiate });
      await tick();
      stream.close();
      refuse(new Error('socket hang up'));
      await tick();
      expect(stream.state).toMatchObject({ status: 'closed', reason: 'closed' });
      expect(negotiate).toHaveBeenCalledTimes(1);
    });

    it('closed while waiting to reconnect, it does not reconnect', async () => {
      const ws = scriptedTransport('websocket');
      const stream = streamOver([ws.transport], 0, { reconnect: { initialDelayMs: 20, maxDelayMs: 20, maxAttempts: 5 } });
      await tick();
      ws.connections[0]!.sink.frame(connected);
      ws.connections[0]!.sink.end({});
      stream.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(ws.connections).toHaveLength(1);
    });

    it('a closed stream ignores close, fail and late frames, and keeps its first ending', async () => {
      const ws = scriptedTransport('websocket');
      const stream = streamOver([ws.transport]);
      const states: ConnectionState[] = [];
      const errors: UnfoldError[] = [];
      await tick();
      ws.connections[0]!.sink.frame(connected);
      ws.connections[0]!.sink.frame(event(1, 'processing_completed'));
      stream.on('state', (state) => states.push(state));
      stream.on('error', (error) => errors.push(error));
      stream.close();
      stream.fail(new UnfoldError('internal_error', 'late'));
      ws.connections[0]!.sink.frame(event(2));
      ws.connections[0]!.sink.end({ error: new UnfoldError('server_busy', 'late', { transient: true }) });
      expect((await stream.done).seq).toBe(1);
      expect(stream.state).toMatchObject({ status: 'closed', reason: 'completed' });
      expect(states).toEqual([]);
      expect(errors).toEqual([]);
      expect(stream.lastSeq).toBe(1);
      await tick();
      expect(ws.connections).toHaveLength(1);
    });

    it('the iterator of a failed stream throws its error after the events it holds', async () => {
      const ws = scriptedTransport('websocket');
      const stream = streamOver([ws.transport]);
      await tick();
      ws.connections[0]!.sink.frame(connected);
      ws.connections[0]!.sink.frame(event(1));
      const failure = new UnfoldError('internal_error', 'gone');
      stream.fail(failure);
      const read: number[] = [];
      await expect(
        (async () => {
          for await (const received of stream) read.push(received.seq);
        })(),
      ).rejects.toBe(failure);
      expect(read).toEqual([1]);
    });

    it('the iterator of a closed stream ends without an error', async () => {
      const ws = scriptedTransport('websocket');
      const stream = streamOver([ws.transport]);
      await tick();
      const read: number[] = [];
      const reading = (async () => {
        for await (const received of stream) read.push(received.seq);
      })();
      await tick();
      stream.close();
      await reading;
      expect(read).toEqual([]);
    });
  });
  describe('stream tokens', () => {
    /** A WebSocket-like transport whose live connections take a new token, recorded per connection. */
    function refreshableTransport() {
      const scripted = scriptedTransport('websocket');
      const refreshed: string[][] = [];
      const transport: Transport = {
        name: 'websocket',
        open(request, sink) {
          const tokens: string[] = [];
          refreshed.push(tokens);
          return { ...scripted.transport.open(request, sink), refresh: (token) => tokens.push(token) };
        },
      };
      return { transport, connections: scripted.connections, refreshed };
    }
    /** Negotiates tokens t1, t2, … that expire `expiresInMs` from now. */
    const negotiating = (expiresInMs: number) => {
      let issued = 0;
      return vi.fn(async () => ({ ...negotiated, token: `t${++issued}`, expires_at: new Date(Date.now() + expiresInMs).toISOString() }));
    };

    it('renews a live connection\'s token before it expires, again after each refreshed, and not before the connection is live', async () => {
      const ws = refreshableTransport();
      const negotiate = negotiating(50);
      const stream = streamOver([ws.transport], 0, { negotiate });
      await tick();
      await tick();
      expect(ws.refreshed[0]).toEqual([]);
      ws.connections[0]!.sink.frame(connected);
      await vi.waitFor(() => expect(ws.refreshed[0]).toEqual(['t2']));
      expect(negotiate).toHaveBeenLastCalledWith(['run']);
      ws.connections[0]!.sink.frame({ event_type: 'refreshed', expires_at: new Date(Date.now() + 50).toISOString() });
      await vi.waitFor(() => expect(ws.refreshed[0]).toEqual(['t2', 't3']));
      // Without a refreshed answer there is no further renewal: the expiry close takes over.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ws.refreshed[0]).toEqual(['t2', 't3']);
      stream.close();
    });

    it('on a close for an expired token, negotiates and resumes from its last seq at once, not after a backoff', async () => {
      const ws = refreshableTransport();
      const errors: string[] = [];
      const stream = streamOver([ws.transport], 0, { negotiate: negotiating(60_000), reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAttempts: 3 } });
      stream.on('error', (error) => errors.push(error.code));
      const seen: number[] = [];
      stream.on('event', (received) => seen.push(received.seq));
      await tick();
      ws.connections[0]!.sink.frame(connected);
      for (const seq of [1, 2]) ws.connections[0]!.sink.frame(event(seq));
      ws.connections[0]!.sink.frame({ event_type: 'error', code: 'token_expired', message: 'expired' });
      ws.connections[0]!.sink.end({ error: new UnfoldError('token_expired', 'WebSocket closed (4401 token_expired)', { transient: true }) });
      await tick();
      const resumed = new URL(ws.connections[1]!.request.url).searchParams;
      expect([resumed.get('after'), resumed.get('access_token')]).toEqual(['2', 't2']);
      ws.connections[1]!.sink.frame(connected);
      for (const seq of [2, 3]) ws.connections[1]!.sink.frame(event(seq));
      ws.connections[1]!.sink.frame(event(4, 'processing_completed'));
      expect((await stream.done).seq).toBe(4);
      expect(seen).toEqual([1, 2, 3, 4]);
      expect(errors).toEqual(['token_expired']);
    });
  });
});

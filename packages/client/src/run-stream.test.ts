import type { TransportName, UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { RunStream } from './run-stream.js';
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

function streamOver(transports: Transport[], after = 0) {
  return new RunStream(
    'run',
    {
      baseUrl: 'http://unfold.test',
      fetch: globalThis.fetch,
      headers: {},
      transports,
      reconnect: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 20 },
      negotiate: async () => negotiated,
    },
    { after },
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
    await expect(stream.done).rejects.toMatchObject({ code: 'cancelled' });
  });
});

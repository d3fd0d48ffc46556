import type {} from '@fastify/websocket';
import { createClient, type TransportName } from '@unfold/client/node';
import { TRANSPORTS, type UnfoldEvent } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import { useTestServer } from './test-server.js';

/**
 * One suite, run over every transport: the real client against the real server
 * (centrifuge-js style). A transport that breaks any of these fails its own row.
 */
describe.each(TRANSPORTS.map((transport) => [transport]))('client over %s', (transport: TransportName) => {
  const server = useTestServer();

  const clientFor = () => createClient({ baseUrl: server().url, transports: [transport], reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });

  const collect = async (stream: AsyncIterable<UnfoldEvent>): Promise<UnfoldEvent[]> => {
    const events: UnfoldEvent[] = [];
    for await (const event of stream) events.push(event);
    return events;
  };

  it('streams a whole demo run in order, subscribing before it starts', async () => {
    const client = clientFor();
    const stream = client.runAndWatch({ pipeline: 'demo', input: { pace: 0.1 } });
    const live: string[] = [];
    stream.on('state', (state) => state.status === 'live' && live.push(state.transport));
    const labelled: string[] = [];
    stream.on('field_labeled', (event) => labelled.push(event.field_name));
    const events = await collect(stream);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]?.event_type).toBe('processing_started');
    expect(events.at(-1)?.event_type).toBe('processing_completed');
    expect(labelled).toContain('GRAND_TOTAL');
    expect(live).toEqual([transport]);
    expect(stream.state).toEqual({ status: 'closed', reason: 'completed' });
  });

  it('resumes after the server drops every connection mid-run: every event exactly once, in order', async () => {
    const resumes = async () => ((await (await fetch(`${server().url}/v1/stats`)).json()) as { streams: { resumes: number } }).streams.resumes;
    const resumesBefore = await resumes();
    const client = clientFor();
    const stream = client.runAndWatch({ pipeline: 'firehose', input: { events: 400, pause_every: 20, pause_ms: 15 } });
    let dropped = false;
    const received: number[] = [];
    const resumedOn: string[] = [];
    stream.on('state', (state) => state.status === 'live' && state.resumed && resumedOn.push(state.transport));
    stream.on('event', (event) => {
      received.push(event.seq);
      if (!dropped && event.seq >= 60) {
        dropped = true;
        // Cut every open connection at the socket, as a crashing proxy would.
        server().server.app.server.closeAllConnections();
        for (const socket of server().server.app.websocketServer.clients) socket.terminate();
      }
    });
    const terminal = await stream.done;
    expect(dropped).toBe(true);
    expect(terminal.event_type).toBe('processing_completed');
    expect(received).toEqual(received.map((_, index) => index + 1));
    expect(received).toHaveLength(404);
    // It came back on the same transport from its last seq, not from the start.
    expect(resumedOn).toEqual([transport]);
    // One resume, on every transport (long-poll's later polls from a position are not resumes).
    expect((await resumes()) - resumesBefore).toBe(1);
  });

  it('receives only the requested types and always the terminal event', async () => {
    const client = clientFor();
    const stream = client.runAndWatch({ pipeline: 'demo', input: { pace: 0 } }, { types: ['field_labeled'] });
    const events = await collect(stream);
    expect(new Set(events.map((event) => event.event_type))).toEqual(new Set(['field_labeled', 'processing_completed']));
  });

  it('streams a receipt labelled from OCR boxes', async () => {
    const box = (y: number, text: string, x = 40) => `${x},${y},${x + 200},${y},${x + 200},${y + 18},${x},${y + 18},${text}`;
    const boxes = [
      box(10, 'SUNRISE MART SDN BHD'),
      box(32, 'NO 3, JALAN EMAS, 50000 KUALA LUMPUR'),
      box(60, 'DATE: 01/02/2019'),
      box(90, 'COFFEE'),
      box(90, '8.00', 300),
      box(120, 'TOTAL'),
      box(120, '8.00', 300),
    ].join('\n');
    const client = clientFor();
    const stream = client.runAndWatch({ pipeline: 'receipt', input: { sroie_boxes: boxes } });
    const fields = new Map<string, string>();
    stream.on('field_labeled', (event) => fields.set(event.field_name, event.value));
    const terminal = await stream.done;
    expect(terminal.event_type).toBe('processing_completed');
    expect(Object.fromEntries(fields)).toMatchObject({ MERCHANT_NAME: 'SUNRISE MART SDN BHD', DATE: '01/02/2019', GRAND_TOTAL: '8.00' });
  });

  it('reports a failed run through done and the terminal event', async () => {
    const client = clientFor();
    const stream = client.runAndWatch({ pipeline: 'demo', input: { pace: 0, fail_tool: 'validate' } });
    const terminal = await stream.done;
    expect(terminal).toMatchObject({ event_type: 'processing_failed', tool_name: 'validate', code: 'tool_failed' });
  });
});

describe('transport fallback', () => {
  const server = useTestServer();

  it('falls back to SSE when WebSockets cannot connect, and still gets every event', async () => {
    // A network that refuses WebSocket upgrades: every socket closes before it opens.
    class RefusedWebSocket {
      onopen = null;
      onmessage = null;
      onerror = null;
      onclose: ((event: { code: number; reason: string }) => void) | null = null;
      constructor() {
        setTimeout(() => this.onclose?.({ code: 1006, reason: '' }), 1);
      }
      close(): void {}
      send(): void {}
    }
    const client = createClient({ baseUrl: server().url, WebSocket: RefusedWebSocket });
    const stream = client.runAndWatch({ pipeline: 'demo', input: { pace: 0 } });
    const live: string[] = [];
    stream.on('state', (state) => state.status === 'live' && live.push(state.transport));
    const terminal = await stream.done;
    expect(terminal.event_type).toBe('processing_completed');
    expect(live).toEqual(['sse']);
    expect(stream.lastSeq).toBe(terminal.seq);
  });
});

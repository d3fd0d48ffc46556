import { CLOSE_CODES, type UnfoldError } from '@unfold/protocol';
import { describe, expect, it } from 'vitest';
import type { StreamFrame, TransportEnd } from './transport.js';
import { fakeSockets } from '../testing/fake-sockets.js';
import { websocketTransport } from './websocket-transport.js';

function open() {
  const { sockets, WebSocket } = fakeSockets();
  const frames: StreamFrame[] = [];
  const ends: TransportEnd[] = [];
  const connection = websocketTransport(WebSocket).open(
    { url: 'https://host/v1/runs/r/websocket?token=t', after: 0, fetch: globalThis.fetch, headers: {} },
    { frame: (frame) => frames.push(frame), end: (end) => ends.push(end) },
  );
  const socket = sockets[0] as (typeof sockets)[number];
  return { socket, frames, ends, connection };
}

const frame = (seq: number) => ({ event_type: 'tool_progress', seq }) as unknown as StreamFrame;

describe('websocketTransport', () => {
  it('opens the ws URL, hands on single and batched frames, and skips what is not a JSON frame', () => {
    const { socket, frames, connection } = open();
    expect(socket.url).toBe('wss://host/v1/runs/r/websocket?token=t');
    socket.onmessage?.({ data: JSON.stringify(frame(1)) });
    socket.onmessage?.({ data: JSON.stringify([frame(2), frame(3)]) });
    socket.onmessage?.({ data: 'pong' });
    socket.onmessage?.({ data: new Uint8Array([1]) });
    expect(frames).toEqual([frame(1), frame(2), frame(3)]);
    connection.close();
    expect(socket.closedWith).toEqual([CLOSE_CODES.normal, 'client closed']);
  });

  it('ends cleanly on a normal or subscription-ended close, and with a transient error otherwise', () => {
    for (const code of [CLOSE_CODES.normal, CLOSE_CODES.subscription_ended]) {
      const { socket, ends } = open();
      socket.onclose?.({ code, reason: 'done' });
      expect(ends).toEqual([{}]);
    }
    const slow = open();
    slow.socket.onclose?.({ code: CLOSE_CODES.slow_consumer, reason: 'slow_consumer' });
    expect(slow.ends[0]?.error).toMatchObject({ code: 'slow_consumer', transient: true, message: `WebSocket closed (${CLOSE_CODES.slow_consumer} slow_consumer)` });
    const dropped = open();
    dropped.socket.onclose?.({ code: 1006, reason: '' });
    dropped.socket.onclose?.({ code: 1006, reason: '' });
    expect(dropped.ends).toHaveLength(1);
    expect(dropped.ends[0]?.error as UnfoldError).toMatchObject({ code: 'server_busy', transient: true, message: 'WebSocket closed (1006)' });
  });
  it('ends with a transient token_expired on a close for an expired token, and sends a refresh as a client message', () => {
    const { socket, ends, connection } = open();
    connection.refresh?.('new-token');
    expect(socket.sent).toEqual([JSON.stringify({ type: 'refresh', token: 'new-token' })]);
    socket.onclose?.({ code: CLOSE_CODES.token_expired, reason: 'token_expired' });
    expect(ends[0]?.error).toMatchObject({ code: 'token_expired', transient: true });
  });
});

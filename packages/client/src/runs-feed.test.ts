import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunUpdatedFrame } from '@unfold/protocol';
import { watchRunsFeed, type RunsFeedState } from './runs-feed.js';
import { fakeSockets } from './testing/fake-sockets.js';
import { negotiated } from './testing/negotiated.js';

const update: RunUpdatedFrame = { event_type: 'run_updated', run_id: 'r1', pipeline: 'demo', status: 'running', created_at: '2026-01-01T00:00:00.000Z' };
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('watchRunsFeed', () => {
  it('asks for the runs once open, hands on updates, and says when it is live', () => {
    const { sockets, WebSocket } = fakeSockets();
    const states: RunsFeedState[] = [];
    const updates: RunUpdatedFrame[] = [];
    let lives = 0;
    const feed = watchRunsFeed({ baseUrl: 'https://host/app', WebSocket, reconnect: { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 5 } }, {
      update: (frame) => updates.push(frame),
      live: () => lives++,
      state: (state) => states.push(state),
    });
    const socket = sockets[0];
    expect(socket?.url).toBe('wss://host/app/v1/ws');
    socket?.onopen?.({});
    expect(socket?.sent).toEqual([JSON.stringify({ type: 'watch_runs' })]);
    socket?.onmessage?.({ data: JSON.stringify({ event_type: 'connected', transport: 'websocket', epoch: 'e' }) });
    socket?.onmessage?.({ data: JSON.stringify(update) });
    socket?.onmessage?.({ data: JSON.stringify({ event_type: 'error', code: 'x', message: 'y' }) });
    socket?.onmessage?.({ data: 'not json' });
    socket?.onmessage?.({ data: new ArrayBuffer(2) });
    expect(updates).toEqual([update]);
    expect(lives).toBe(1);
    expect(states).toEqual(['connecting', 'live']);
    feed.close();
    expect(socket?.closedWith).toEqual([1000, 'client closed']);
    expect(states.at(-1)).toBe('closed');
  });

  it('reconnects after a drop, and not once closed', async () => {
    const { sockets, WebSocket } = fakeSockets();
    const states: RunsFeedState[] = [];
    const feed = watchRunsFeed({ baseUrl: 'http://host', WebSocket, reconnect: { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 5 } }, {
      update: () => undefined,
      state: (state) => states.push(state),
    });
    expect(sockets[0]?.url).toBe('ws://host/v1/ws');
    sockets[0]?.onerror?.({});
    sockets[0]?.onclose?.({ code: 1006, reason: '' });
    await tick();
    expect(sockets).toHaveLength(2);
    expect(states).toEqual(['connecting', 'reconnecting', 'reconnecting']);
    sockets[1]?.onmessage?.({ data: JSON.stringify({ event_type: 'connected' }) });
    sockets[1]?.onclose?.({ code: 1006, reason: '' });
    await tick();
    expect(sockets).toHaveLength(3);
    // Live again resets the count: the third socket is a first reconnect, not a second.
    expect(states.slice(3)).toEqual(['live', 'reconnecting', 'reconnecting']);
    feed.close();
    sockets[2]?.onclose?.({ code: 1000, reason: '' });
    await tick();
    expect(sockets).toHaveLength(3);
  });
  it('with a negotiated token, renews it on the live socket before it expires, again after each refreshed, and stops as the socket closes', async () => {
    const { sockets, WebSocket } = fakeSockets();
    let issued = 0;
    // Tokens that expire at once: each renewal is due as soon as it is scheduled.
    const negotiate = async () => ({ ...negotiated, token: `t${++issued}`, expires_at: new Date(Date.now() - 1).toISOString() });
    const feed = watchRunsFeed({ baseUrl: 'http://host', WebSocket, reconnect: { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 5 }, negotiate }, { update: () => undefined });
    await tick();
    const socket = sockets[0]!;
    expect(socket.url).toBe('ws://host/v1/ws?access_token=t1');
    socket.onopen?.({});
    await tick();
    expect(socket.sent).toEqual([JSON.stringify({ type: 'watch_runs' })]);
    socket.onmessage?.({ data: JSON.stringify({ event_type: 'connected', transport: 'websocket', epoch: 'e' }) });
    await tick();
    expect(socket.sent.slice(1)).toEqual([JSON.stringify({ type: 'refresh', token: 't2' })]);
    socket.onmessage?.({ data: JSON.stringify({ event_type: 'refreshed', expires_at: new Date(Date.now() - 1).toISOString() }) });
    await tick();
    expect(socket.sent.slice(1)).toEqual([JSON.stringify({ type: 'refresh', token: 't2' }), JSON.stringify({ type: 'refresh', token: 't3' })]);
    feed.close();
    socket.onmessage?.({ data: JSON.stringify({ event_type: 'refreshed', expires_at: new Date(Date.now() - 1).toISOString() }) });
    await tick();
    expect(socket.sent).toHaveLength(3);
  });

  describe('ending', () => {
    afterEach(() => vi.useRealTimers());

    it('ends for good when its key is revoked, rather than knock again', async () => {
      const { sockets, WebSocket } = fakeSockets();
      const states: RunsFeedState[] = [];
      watchRunsFeed({ baseUrl: 'http://host', WebSocket, reconnect: { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 5 } }, { update: () => undefined, state: (state) => states.push(state) });
      sockets[0]?.onmessage?.({ data: JSON.stringify({ event_type: 'connected' }) });
      sockets[0]?.onclose?.({ code: 4003, reason: 'key_revoked' });
      await tick();
      expect(sockets).toHaveLength(1);
      expect(states.at(-1)).toBe('closed');
    });

    it('closed while negotiating, opens nothing and tries nothing more, whether the negotiation answers or fails', async () => {
      for (const outcome of ['answers', 'fails'] as const) {
        const { sockets, WebSocket } = fakeSockets();
        let settle!: () => void;
        const negotiate = vi.fn(() => new Promise<typeof negotiated>((resolve, reject) => (settle = () => (outcome === 'answers' ? resolve(negotiated) : reject(new Error('down'))))));
        const feed = watchRunsFeed({ baseUrl: 'http://host', WebSocket, negotiate, reconnect: { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 5 } }, { update: () => undefined });
        feed.close();
        settle();
        await tick();
        expect(sockets, outcome).toHaveLength(0);
        expect(negotiate, outcome).toHaveBeenCalledTimes(1);
      }
    });

    it('waits longer after each failure in a row', async () => {
      vi.useFakeTimers();
      const negotiate = vi.fn(async () => Promise.reject(new Error('down')));
      const feed = watchRunsFeed({ baseUrl: 'http://host', WebSocket: fakeSockets().WebSocket, negotiate, reconnect: { initialDelayMs: 10, maxDelayMs: 10_000, maxAttempts: 100 } }, { update: () => undefined });
      await vi.advanceTimersByTimeAsync(1_000);
      // doubling from 10 ms, half of each wait jittered: tries at 0, then after 5–10, 10–20, 20–40 … ms,
      // so 7 or 8 in a second, where a wait that did not grow would make 100 or more
      expect(negotiate.mock.calls.length).toBeGreaterThanOrEqual(7);
      expect(negotiate.mock.calls.length).toBeLessThanOrEqual(8);
      feed.close();
    });
  });
});

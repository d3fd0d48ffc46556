import type { RunUpdatedFrame } from '@unfold/protocol';
import { backoffDelay, type ReconnectOptions } from './backoff.js';
import { absoluteUrl } from './http-api.js';
import type { WebSocketConstructor } from './transports/websocket-transport.js';

export type RunsFeedState = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface RunsFeedHandlers {
  /** A run was created or changed status. */
  update(frame: RunUpdatedFrame): void;
  /**
   * The feed is (again) live. Updates made while it was down were not seen, so a list
   * should be read afresh here.
   */
  live?(): void;
  state?(state: RunsFeedState): void;
}

export interface RunsFeed {
  close(): void;
}

/**
 * Every run created or changing status, over the multiplexed WebSocket (`/v1/ws`,
 * `watch_runs`), reconnecting with backoff until closed.
 */
export function watchRunsFeed(options: { baseUrl: string; WebSocket: WebSocketConstructor; reconnect: ReconnectOptions }, handlers: RunsFeedHandlers): RunsFeed {
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let socket: InstanceType<WebSocketConstructor> | undefined;
  const url = absoluteUrl(options.baseUrl, 'v1/ws').replace(/^http/, 'ws');

  const connect = (): void => {
    handlers.state?.(attempt === 0 ? 'connecting' : 'reconnecting');
    const current = new options.WebSocket(url);
    socket = current;
    current.onopen = () => current.send(JSON.stringify({ type: 'watch_runs' }));
    current.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let frame: { event_type?: string };
      try {
        frame = JSON.parse(message.data) as { event_type?: string };
      } catch {
        return;
      }
      if (frame.event_type === 'connected') {
        attempt = 0;
        handlers.state?.('live');
        handlers.live?.();
      } else if (frame.event_type === 'run_updated') {
        handlers.update(frame as RunUpdatedFrame);
      }
    };
    current.onerror = () => undefined; // a close follows
    current.onclose = () => {
      if (closed) return;
      attempt++;
      handlers.state?.('reconnecting');
      timer = setTimeout(connect, backoffDelay(attempt, options.reconnect));
    };
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close(1000, 'client closed');
      handlers.state?.('closed');
    },
  };
}

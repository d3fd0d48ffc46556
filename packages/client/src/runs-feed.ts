import { CLOSE_CODES, type ClientMessage, type NegotiateResponse, type RunUpdatedFrame } from '@unfold/protocol';
import { backoffDelay, type ReconnectOptions } from './backoff.js';
import { absoluteUrl } from './http-api.js';
import { TokenRenewal } from './token-renewal.js';
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
export function watchRunsFeed(
  options: {
    baseUrl: string;
    WebSocket: WebSocketConstructor;
    reconnect: ReconnectOptions;
    /** With an API key: a stream token for the tenant, asked for before each connection (a browser's WebSocket cannot send the key). */
    negotiate?: () => Promise<NegotiateResponse>;
  },
  handlers: RunsFeedHandlers,
): RunsFeed {
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let socket: InstanceType<WebSocketConstructor> | undefined;
  let renewal: TokenRenewal | undefined;
  // Stryker disable next-line Regex: equivalent, an absolute http(s) URL has its first "http" at the start
  const url = absoluteUrl(options.baseUrl, 'v1/ws').replace(/^http/, 'ws');

  const reconnect = (): void => {
    if (closed) return;
    attempt++;
    handlers.state?.('reconnecting');
    timer = setTimeout(() => void connect(), backoffDelay(attempt, options.reconnect));
  };

  /** The feed outlives any one token: a new one goes out on the socket before the last expires. */
  const renewOn = (current: InstanceType<WebSocketConstructor>, negotiate: () => Promise<NegotiateResponse>, expiresAt: string): TokenRenewal => {
    const renewing = new TokenRenewal(async () => {
      const { token } = await negotiate();
      if (socket === current) current.send(JSON.stringify({ type: 'refresh', token } satisfies ClientMessage));
    });
    renewing.schedule(expiresAt);
    return renewing;
  };

  const connect = async (): Promise<void> => {
    handlers.state?.(attempt === 0 ? 'connecting' : 'reconnecting');
    let negotiated: NegotiateResponse | undefined;
    try {
      negotiated = options.negotiate ? await options.negotiate() : undefined;
    } catch {
      return reconnect();
    }
    if (closed) return;
    const current = new options.WebSocket(negotiated === undefined ? url : `${url}?access_token=${encodeURIComponent(negotiated.token)}`);
    socket = current;
    current.onopen = () => current.send(JSON.stringify({ type: 'watch_runs' }));
    current.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let frame: { event_type?: string; expires_at?: string };
      try {
        frame = JSON.parse(message.data) as typeof frame;
      } catch {
        return;
      }
      if (frame.event_type === 'connected') {
        attempt = 0;
        if (options.negotiate && negotiated) renewal = renewOn(current, options.negotiate, negotiated.expires_at);
        handlers.state?.('live');
        handlers.live?.();
      } else if (frame.event_type === 'run_updated') {
        handlers.update(frame as RunUpdatedFrame);
      } else if (frame.event_type === 'refreshed' && frame.expires_at !== undefined) {
        renewal?.schedule(frame.expires_at);
      }
    };
    current.onerror = () => undefined; // a close follows
    current.onclose = (event) => {
      renewal?.stop();
      // A revoked key stays revoked: the feed ends rather than knock again.
      if (closed) return;
      if (event.code !== CLOSE_CODES.key_revoked) return reconnect();
      closed = true;
      handlers.state?.('closed');
    };
  };
  void connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      renewal?.stop();
      socket?.close(1000, 'client closed');
      handlers.state?.('closed');
    },
  };
}

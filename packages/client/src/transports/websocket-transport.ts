import { CLOSE_CODES, UnfoldError, type ClientMessage, type ErrorCode } from '@unfold/protocol';
import { onceEnd, type StreamFrame, type Transport } from './transport.js';

/** The standard WebSocket constructor shape, satisfied by browsers and by the `ws` package. */
export type WebSocketConstructor = new (url: string) => {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
  send(data: string): void;
};

/** What an unplanned close means; each is transient: the stream resumes from its last seq. */
function closeErrorCode(code: number): ErrorCode {
  if (code === CLOSE_CODES.slow_consumer) return 'slow_consumer';
  // Not a refusal: the token ran out before it was refreshed, so the stream negotiates again.
  if (code === CLOSE_CODES.token_expired) return 'token_expired';
  return 'server_busy';
}

export function websocketTransport(WebSocketImpl: WebSocketConstructor): Transport {
  return {
    name: 'websocket',
    open(request, rawSink) {
      const sink = onceEnd(rawSink);
      const socket = new WebSocketImpl(request.url.replace(/^http/, 'ws'));
      socket.onmessage = (message) => {
        if (typeof message.data !== 'string') return;
        let parsed: StreamFrame | StreamFrame[];
        try {
          parsed = JSON.parse(message.data) as StreamFrame | StreamFrame[];
        } catch {
          return; // a bare "pong"
        }
        for (const frame of Array.isArray(parsed) ? parsed : [parsed]) sink.frame(frame);
      };
      socket.onclose = ({ code, reason }) => {
        if (code === CLOSE_CODES.normal || code === CLOSE_CODES.subscription_ended) return sink.end({});
        sink.end({ error: new UnfoldError(closeErrorCode(code), `WebSocket closed (${code}${reason ? ` ${reason}` : ''})`, { transient: true }) });
      };
      socket.onerror = () => undefined; // a close event always follows with the code
      return {
        close: () => socket.close(CLOSE_CODES.normal, 'client closed'),
        refresh: (token) => socket.send(JSON.stringify({ type: 'refresh', token } satisfies ClientMessage)),
      };
    },
  };
}

import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { loggableUrl } from './loggable-url.js';

/** Connection-level errors a peer causes by going away mid-frame. */
const NETWORK_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * @fastify/websocket's `errorHandler`: the socket is ended either way. A peer breaking the
 * protocol (`ws` refuses an oversized message or invalid UTF-8 with a `WS_ERR_*` code and has
 * already sent the close code saying why) or dropping the connection is its mistake, logged at
 * warn; anything else is a fault of a route's handler, logged at error.
 */
export function websocketErrorHandler(error: Error & { code?: string }, socket: WebSocket, request: FastifyRequest): void {
  const byClient = error.code !== undefined && (error.code.startsWith('WS_ERR_') || NETWORK_ERRORS.has(error.code));
  if (byClient) request.log.warn({ code: error.code, url: loggableUrl(request.url) }, `WebSocket closed: ${error.message}`);
  else request.log.error({ err: error }, 'WebSocket handler failed');
  socket.terminate();
}

import { WebSocket } from 'ws';
import { createClient as createBaseClient, type ClientOptions, type UnfoldClient } from './unfold-client.js';
import type { WebSocketConstructor } from './transports/websocket-transport.js';

export * from './index.js';

/** The client for Node 20, which has no global WebSocket: uses the `ws` package's. */
export function createClient(options: ClientOptions): UnfoldClient {
  return createBaseClient({ WebSocket: WebSocket as unknown as WebSocketConstructor, ...options });
}

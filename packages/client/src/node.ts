import { WebSocket } from 'ws';
import { createClient as createBaseClient, type ClientOptions, type UnfoldClient } from './unfold-client.js';
import type { WebSocketConstructor } from './transports/websocket-transport.js';

export * from './index.js';

/** The client for Node 20, which has no global WebSocket: uses the `ws` package's. Typed like the base client (`createClient<typeof pipelines>`). */
export function createClient<Pipelines = never>(options: ClientOptions): UnfoldClient<Pipelines> {
  return createBaseClient<Pipelines>({ WebSocket: WebSocket as unknown as WebSocketConstructor, ...options });
}

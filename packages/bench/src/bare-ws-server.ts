import { WebSocketServer, type WebSocket } from 'ws';
import { answerParent } from './child-process.js';

/**
 * Child process: the ceiling. A plain `ws` server that sends each client its own stream
 * of JSON messages as fast as each socket drains, with no log, no engine, no framework.
 */
const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise<void>((resolve) => server.once('listening', () => resolve()));

function stream(socket: WebSocket, count: number, payload: Record<string, unknown>): void {
  let sent = 0;
  const pump = (): void => {
    while (sent < count && socket.bufferedAmount < 1024 * 1024) {
      sent++;
      socket.send(JSON.stringify({ ...payload, seq: sent, timestamp: new Date().toISOString() }));
    }
    if (sent < count) setImmediate(pump);
  };
  pump();
}

answerParent({
  /**
   * The fan-out ceiling: the same messages to every client, `burst` at a time (a tool's
   * events come in bursts), one burst every `intervalMs`, `count` in all.
   */
  async paced(message) {
    const count = Number(message['count']);
    const burst = Number(message['burst']);
    const payload = message['payload'] as Record<string, unknown>;
    for (let seq = 1; seq <= count; seq += burst) {
      for (let index = seq; index < Math.min(count + 1, seq + burst); index++) {
        const frame = Buffer.from(JSON.stringify({ ...payload, seq: index, timestamp: new Date().toISOString() }));
        for (const socket of server.clients) socket.send(frame, { binary: false });
      }
      await new Promise((resolve) => setTimeout(resolve, Number(message['intervalMs'])));
    }
    return {};
  },
  broadcast(message) {
    const count = Number(message['count']);
    const payload = message['payload'] as Record<string, unknown>;
    for (const socket of server.clients) stream(socket, count, payload);
    return {};
  },
});
const address = server.address();
process.send?.({ url: `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
process.once('SIGTERM', () => server.close(() => process.exit(0)));

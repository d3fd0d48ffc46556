import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** The service goes away: every open connection is reset and new ones are refused. */
  down(): Promise<void>;
  /** The service hangs: open connections are reset, new ones are accepted and never answered. */
  stall(): Promise<void>;
  /** The service is back, on the same port, answering. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback TCP relay in front of a real service (PostgreSQL), so a test can make the
 * service vanish and come back without stopping it for everyone else on the machine.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let stalled = false;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (stalled) return;
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
  const port = await listen(0);
  const resetAll = (): void => {
    for (const socket of sockets) socket.resetAndDestroy();
  };
  const down = async (): Promise<void> => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    resetAll();
    await closed;
  };
  return {
    port,
    down,
    stall: async () => {
      stalled = true;
      resetAll();
      if (!server.listening) await listen(port);
    },
    up: async () => {
      stalled = false;
      if (!server.listening) await listen(port);
    },
    close: down,
  };
}

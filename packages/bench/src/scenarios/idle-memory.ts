import type { Child } from '../child-process.js';
import { openMany, subscribe } from '../subscribers.js';

export interface MemoryPerConnection {
  /** Resident memory growth per connection, KB. */
  rss_kb: number;
  /** JS heap + external memory growth per connection, KB (less noisy than RSS). */
  heap_kb: number;
}

/** Server memory per idle WebSocket: memory before and after opening `clients`. */
export async function idleMemoryPerConnection(server: Child, url: string, clients: number): Promise<MemoryPerConnection> {
  const open = () => openMany(clients, () => subscribe(url, undefined, { events: 0 }));
  const closeAll = async (subscribers: Awaited<ReturnType<typeof open>>) => {
    for (const subscriber of subscribers) subscriber.socket.close();
    await Promise.all(subscribers.map((subscriber) => subscriber.closed));
  };
  // A first round warms the heap and socket pools, so the measured round counts only
  // what each open connection holds.
  await closeAll(await open());
  const before = await server.memory();
  const subscribers = await open();
  const after = await server.memory();
  await closeAll(subscribers);
  const perConnectionKb = (bytes: number) => Math.round(bytes / clients / 102.4) / 10;
  return { rss_kb: perConnectionKb(after.rss - before.rss), heap_kb: perConnectionKb(after.heap - before.heap) };
}

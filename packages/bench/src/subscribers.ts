import { WebSocket } from 'ws';
import type { LatencyRecorder } from './latency-recorder.js';

export interface Subscriber {
  socket: WebSocket;
  /** Resolves when the socket closes. */
  closed: Promise<void>;
}

/**
 * Opens a WebSocket that records, for each stored event, append → receive latency (the
 * event's `timestamp` is set by the log on append; both processes share this clock).
 */
export function subscribe(url: string, latency: LatencyRecorder | undefined, counter: { events: number }): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('message', (data) => {
      const received = Date.now();
      const parsed = JSON.parse(data.toString()) as { seq?: number; timestamp?: string } | Array<{ seq?: number; timestamp?: string }>;
      for (const frame of Array.isArray(parsed) ? parsed : [parsed]) {
        if (frame.seq === undefined || frame.timestamp === undefined) continue;
        counter.events++;
        latency?.record(received - Date.parse(frame.timestamp));
      }
    });
    socket.once('open', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Opens `count` connections, `parallel` at a time, so the accept queue is not the test. */
export async function openMany<T>(count: number, open: (index: number) => Promise<T>, parallel = 100): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await open(index);
      }
    }),
  );
  return results;
}

export async function postRun(baseUrl: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`POST /v1/runs answered ${response.status}: ${await response.text()}`);
}

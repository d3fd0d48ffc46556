import type { TransportName, UnfoldEvent } from '@unfold/protocol';

export type StreamTransport = TransportName | 'websocket-multiplexed' | 'websocket-seed';

/**
 * What the streaming layer reports about its connections. Implementations must not
 * throw: a counter never breaks a stream.
 */
export interface StreamObserver {
  /** A connection opened; the returned function is called exactly once when it closes. */
  opened(transport: StreamTransport): () => void;
  delivered(event: UnfoldEvent, transport: StreamTransport): void;
  slowConsumer(transport: StreamTransport): void;
  resumed(transport: StreamTransport): void;
  resync(transport: StreamTransport): void;
}

export interface StreamStats {
  connections: Record<string, number>;
  delivered: number;
  slow_consumer_disconnects: number;
  resumes: number;
  resyncs: number;
}

type Counts = Map<StreamTransport, number>;

const add = (counts: Counts, transport: StreamTransport, by: number): void => {
  counts.set(transport, (counts.get(transport) ?? 0) + by);
};
const total = (counts: Counts): number => [...counts.values()].reduce((sum, count) => sum + count, 0);

/**
 * The one count of connections and deliveries, by transport: `/v1/stats` and
 * `/stream/metrics` read its totals, the Prometheus metrics read it at scrape time.
 * `onDelivered` is told of each delivery (the metrics time it).
 */
export class StreamCounters implements StreamObserver {
  private readonly connections: Counts = new Map();
  private readonly deliveries: Counts = new Map();
  private readonly slowConsumers: Counts = new Map();
  private readonly resumes: Counts = new Map();
  private readonly resyncs: Counts = new Map();

  constructor(private readonly onDelivered?: (event: UnfoldEvent, transport: StreamTransport) => void) {}

  opened(transport: StreamTransport): () => void {
    add(this.connections, transport, 1);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      add(this.connections, transport, -1);
    };
  }

  delivered(event: UnfoldEvent, transport: StreamTransport): void {
    add(this.deliveries, transport, 1);
    this.onDelivered?.(event, transport);
  }

  slowConsumer(transport: StreamTransport): void {
    add(this.slowConsumers, transport, 1);
  }

  resumed(transport: StreamTransport): void {
    add(this.resumes, transport, 1);
  }

  resync(transport: StreamTransport): void {
    add(this.resyncs, transport, 1);
  }

  /** The counts by transport, live (read, not kept). */
  byTransport(): Record<'connections' | 'deliveries' | 'slowConsumers' | 'resumes' | 'resyncs', ReadonlyMap<StreamTransport, number>> {
    return { connections: this.connections, deliveries: this.deliveries, slowConsumers: this.slowConsumers, resumes: this.resumes, resyncs: this.resyncs };
  }

  snapshot(): StreamStats {
    return {
      connections: Object.fromEntries(this.connections),
      delivered: total(this.deliveries),
      slow_consumer_disconnects: total(this.slowConsumers),
      resumes: total(this.resumes),
      resyncs: total(this.resyncs),
    };
  }
}

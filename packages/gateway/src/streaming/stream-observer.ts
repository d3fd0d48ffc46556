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

/** Counts connections and deliveries for `/v1/stats`. */
export class StreamCounters implements StreamObserver {
  private readonly open = new Map<StreamTransport, number>();
  private deliveredCount = 0;
  private slowConsumers = 0;
  private resumes = 0;
  private resyncs = 0;

  opened(transport: StreamTransport): () => void {
    this.open.set(transport, (this.open.get(transport) ?? 0) + 1);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.open.set(transport, (this.open.get(transport) ?? 1) - 1);
    };
  }

  delivered(): void {
    this.deliveredCount++;
  }

  slowConsumer(): void {
    this.slowConsumers++;
  }

  resumed(): void {
    this.resumes++;
  }

  resync(): void {
    this.resyncs++;
  }

  snapshot(): StreamStats {
    return {
      connections: Object.fromEntries(this.open),
      delivered: this.deliveredCount,
      slow_consumer_disconnects: this.slowConsumers,
      resumes: this.resumes,
      resyncs: this.resyncs,
    };
  }
}

/** One observer that tells each of several, in order. */
export function observeAll(observers: readonly StreamObserver[]): StreamObserver {
  return {
    opened(transport) {
      const closes = observers.map((observer) => observer.opened(transport));
      return () => closes.forEach((close) => close());
    },
    delivered(event, transport) {
      for (const observer of observers) observer.delivered(event, transport);
    },
    slowConsumer(transport) {
      for (const observer of observers) observer.slowConsumer(transport);
    },
    resumed(transport) {
      for (const observer of observers) observer.resumed(transport);
    },
    resync(transport) {
      for (const observer of observers) observer.resync(transport);
    },
  };
}

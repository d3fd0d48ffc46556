import { CLOSE_CODES, isTerminalEventType, type ControlFrame, type UnfoldEvent } from '@unfold/protocol';
import { eventBytes, eventJson, followRun, type Follow, type Store } from '@unfold/engine';
import type { WebSocket } from 'ws';
import type { StreamObserver, StreamTransport } from './stream-observer.js';
import type { SubscriptionRequest } from './subscription-request.js';

export interface WebSocketSessionOptions {
  socket: WebSocket;
  store: Store;
  transport: StreamTransport;
  observer: StreamObserver;
  sendBufferBytes: number;
  /** Events written in one tick go out as one JSON array frame. */
  batch: boolean;
}

export interface SubscriptionEndings {
  /** After the run's terminal event: close the socket with 1000 (run sockets) or keep it (multiplexed, seed). */
  onTerminal: 'close' | 'keep';
  /** After a resync frame: close the socket with 4010 (run sockets) or keep it (multiplexed). */
  onResync: 'close' | 'keep';
}

/**
 * One WebSocket and the run subscriptions it carries. Sends are refused once the
 * socket's send buffer passes its limit: the consumer is cut off with 4008 and resumes
 * from its last seq, so the server never buffers without bound.
 */
export class WebSocketSession {
  private readonly follows = new Map<string, Follow>();
  private pending: string[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly closeConnection: () => void;
  private corked = false;

  constructor(private readonly options: WebSocketSessionOptions) {
    this.closeConnection = options.observer.opened(options.transport);
    options.socket.on('close', () => this.dispose());
  }

  get subscriptionCount(): number {
    return this.follows.size;
  }

  has(runId: string): boolean {
    return this.follows.has(runId);
  }

  subscribe(runId: string, request: SubscriptionRequest, endings: SubscriptionEndings): void {
    this.unsubscribe(runId);
    const { store, observer, transport } = this.options;
    if (request.after > 0) observer.resumed(transport);
    const follow = followRun(
      store,
      runId,
      { after: request.after, epoch: request.epoch, types: request.types },
      {
        event: (event) => {
          observer.delivered(event, transport);
          this.sendEvent(event);
          if (!isTerminalEventType(event.event_type)) return;
          this.follows.delete(runId);
          // Closed after this turn: every watcher of the run gets the terminal event
          // before any socket pays for its closing handshake.
          if (endings.onTerminal === 'close') setImmediate(() => this.close(CLOSE_CODES.normal, 'run finished'));
        },
        resync: (frame) => {
          observer.resync(transport);
          this.follows.delete(runId);
          this.sendControl(frame);
          if (endings.onResync === 'close') this.close(CLOSE_CODES.subscription_ended, 'resync');
        },
        backpressure: () => this.roomToSend(),
        error: () => {
          this.follows.delete(runId);
          this.sendControl({ event_type: 'error', code: 'internal_error', message: 'the event log failed; subscribe again from the last seq', run_id: runId });
          if (endings.onResync === 'close') this.close(CLOSE_CODES.subscription_ended, 'internal_error');
        },
      },
    );
    this.follows.set(runId, follow);
  }

  unsubscribe(runId: string): boolean {
    const follow = this.follows.get(runId);
    if (!follow) return false;
    follow.stop();
    this.follows.delete(runId);
    return true;
  }

  sendControl(frame: ControlFrame): void {
    this.flush();
    this.send(JSON.stringify(frame));
  }

  sendText(text: string): void {
    this.flush();
    this.send(text);
  }

  /** Flushes pending events, then closes; the close frame follows every event sent. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.flush();
    this.dispose();
    this.options.socket.close(code, reason);
  }

  /**
   * A replay waits while the socket holds more than half its send buffer. `ws` has no
   * drain event of its own, so a paused replay polls `bufferedAmount`; only paused
   * replays pay for the timer.
   */
  private roomToSend(): Promise<void> | undefined {
    const { socket, sendBufferBytes } = this.options;
    // Replayed events arrive faster than a tick: send them in frames of 64, not all at once.
    if (this.pending.length >= 64) this.flush();
    if (socket.bufferedAmount <= sendBufferBytes / 2) return undefined;
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.closed || socket.bufferedAmount <= sendBufferBytes / 2) resolve();
        else setTimeout(check, 5);
      };
      setTimeout(check, 5);
    });
  }

  private sendEvent(event: UnfoldEvent): void {
    if (!this.options.batch) {
      this.send(eventBytes(event));
      return;
    }
    this.pending.push(eventJson(event));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const frames = this.pending;
    this.pending = [];
    this.send(frames.length === 1 ? (frames[0] as string) : `[${frames.join(',')}]`);
  }

  /** Text frames; a Buffer is the JSON already encoded, shared by every socket of a fan-out. */
  private send(data: string | Buffer): void {
    if (this.closed) return;
    const { socket, sendBufferBytes, observer, transport } = this.options;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > sendBufferBytes) {
      observer.slowConsumer(transport);
      this.dispose();
      socket.close(CLOSE_CODES.slow_consumer, 'slow_consumer');
      return;
    }
    this.cork();
    socket.send(data, { binary: false });
  }

  /**
   * Holds this socket's writes until the current burst of sends is over, so a burst of
   * frames costs one system call. `ws` exposes no cork of its own; the underlying
   * net.Socket is reached through its documented-internal `_socket`, and without it
   * sends simply go out one by one.
   */
  private cork(): void {
    if (this.corked) return;
    const raw = (this.options.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!raw) return;
    this.corked = true;
    raw.cork();
    queueMicrotask(() => {
      this.corked = false;
      raw.uncork();
    });
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    for (const follow of this.follows.values()) follow.stop();
    this.follows.clear();
    this.closeConnection();
  }
}

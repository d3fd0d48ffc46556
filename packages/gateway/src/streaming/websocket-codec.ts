import { CLOSE_CODES, type ControlFrame, type UnfoldEvent } from '@unfold/protocol';
import { eventBytes, eventJson } from '@unfold/engine';
import type { WebSocket } from 'ws';
import { errorFrame } from './error-frame.js';
import type { StreamEnding, StreamCodec } from './subscription-core.js';
import type { StreamTransport } from './stream-observer.js';

/** Replayed events arrive faster than a tick: they go out in frames of this many, not all at once. */
const MAX_BATCH = 64;
/** How long a cut-off client has to read up to its 4008 close frame before it is dropped. */
const SLOW_CONSUMER_CLOSE_GRACE_MS = 5_000;

const UNAUTHORIZED_CODES = new Set(['unauthorized', 'invalid_token', 'forbidden']);

/**
 * The close code for a refusal: a revoked key is 4003 (a client stops, rather than retry
 * with the same key), an expired token 4401 (a client negotiates and resumes), a missing or
 * bad credential 4001, any other bad request 1008.
 */
export function refusalCloseCode(code: string): number {
  if (code === 'key_revoked') return CLOSE_CODES.key_revoked;
  if (code === 'rate_limited') return CLOSE_CODES.rate_limited;
  if (code === 'token_expired') return CLOSE_CODES.token_expired;
  return UNAUTHORIZED_CODES.has(code) ? CLOSE_CODES.unauthorized : CLOSE_CODES.policy_violation;
}

/**
 * Unfold's WebSocket frames: events as their shared JSON bytes (or, with `batch`, the
 * events of one tick as one JSON array frame), control frames as JSON, heartbeats as
 * protocol pings, and the close codes of `CLOSE_CODES`.
 */
export class WebSocketCodec implements StreamCodec {
  private pending: string[] = [];
  private flushScheduled = false;

  constructor(
    private readonly socket: WebSocket,
    readonly transport: StreamTransport,
    /** Events written in one tick go out as one JSON array frame. */
    private readonly batch: boolean,
  ) {}

  unsentBytes(): number {
    return this.socket.bufferedAmount;
  }

  writeEvent(event: UnfoldEvent): void {
    if (!this.batch) return this.send(eventBytes(event));
    this.pending.push(eventJson(event));
    if (this.pending.length >= MAX_BATCH) return this.flush();
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent in what is sent, a second flush in the same tick finds nothing pending
    if (!this.flushScheduled) {
      // Stryker disable next-line BooleanLiteral: equivalent, as above
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  writeControl(frame: ControlFrame): void {
    this.send(JSON.stringify(frame));
  }

  writeText(text: string): void {
    this.send(text);
  }

  writeHeartbeat(): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.ping();
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const frames = this.pending;
    this.pending = [];
    this.send(frames.length === 1 ? (frames[0] as string) : `[${frames.join(',')}]`);
  }

  /**
   * Holds this socket's writes until the burst is over, so a burst of frames costs one
   * system call. `ws` exposes no cork of its own; the underlying net.Socket is reached
   * through its documented-internal `_socket`, and without it sends go out one by one.
   */
  cork(): () => void {
    const raw = (this.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    raw?.cork();
    return () => raw?.uncork();
  }

  end(ending: StreamEnding): void {
    this.pending = [];
    switch (ending.reason) {
      case 'client_gone':
        return;
      case 'finished':
        return this.socket.close(CLOSE_CODES.normal, 'run finished');
      case 'resync':
        this.writeControl(ending.frame);
        return this.socket.close(CLOSE_CODES.subscription_ended, 'resync');
      case 'slow_consumer':
        return this.closeSlowConsumer();
      case 'failed':
        this.writeControl(errorFrame(ending.error, ending.runId));
        return this.socket.close(CLOSE_CODES.subscription_ended, ending.error.code);
      case 'refused':
        this.writeControl(errorFrame(ending.error));
        return this.socket.close(refusalCloseCode(ending.error.code), ending.error.code);
    }
  }

  onGone(listener: () => void): void {
    this.socket.once('close', listener);
  }

  /**
   * The close frame waits behind everything the client has not read; a client that does
   * not read it in time is dropped, so a cut-off connection holds its buffer briefly.
   */
  private closeSlowConsumer(): void {
    this.socket.close(CLOSE_CODES.slow_consumer, 'slow_consumer');
    setTimeout(() => this.socket.terminate(), SLOW_CONSUMER_CLOSE_GRACE_MS).unref();
  }

  /** Text frames; a Buffer is the JSON already encoded, shared by every socket of a fan-out. */
  protected send(data: string | Buffer): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(data, { binary: false });
  }
}


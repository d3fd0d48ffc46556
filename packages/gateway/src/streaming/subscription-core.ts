import { UnfoldError, isTerminalEventType, type ControlFrame, type ResyncFrame, type UnfoldEvent } from '@unfold/protocol';
import { eventJson, followRun, publicRunId, type Follow, type Store } from '@unfold/engine';
import type { FastifyBaseLogger } from 'fastify';
import { toUnfoldError } from '../http/error-handler.js';
import { errorFrame } from './error-frame.js';
import { SendBudget } from './send-budget.js';
import { StreamLog } from './stream-log.js';
import type { StreamObserver, StreamTransport } from './stream-observer.js';
import type { SubscriptionRequest } from './subscription-request.js';

/** Why a connection ends; the codec picks the last frame and the close code from it. */
export type StreamEnding =
  | { reason: 'finished' }
  | { reason: 'resync'; frame: ResyncFrame }
  /** `runId` names the run (its id, not its key) when the connection follows just one. */
  | { reason: 'slow_consumer'; runId?: string | undefined }
  /** Reading the run's log failed: the server's fault; the client may subscribe again. */
  | { reason: 'failed'; error: UnfoldError; runId: string }
  /** The connection was refused (bad request, bad token) before or instead of streaming. */
  | { reason: 'refused'; error: UnfoldError }
  | { reason: 'client_gone' };

/**
 * How one transport writes and closes; everything else (following, counting, resync,
 * the cut-off, heartbeats, errors) is the core's. `Tag` is what a subscription carries
 * for the codec (the seed batch's email index).
 */
export interface StreamCodec<Tag = undefined> {
  readonly transport: StreamTransport;
  /** Bytes written that the client has not taken yet. */
  unsentBytes(): number;
  writeEvent(event: UnfoldEvent, tag: Tag): void;
  writeControl(frame: ControlFrame, tag: Tag | undefined): void;
  /** Absent where the transport has no heartbeat (long-poll). */
  writeHeartbeat?(): void;
  /** Writes out frames held for batching (before a control frame or the end). */
  flush?(): void;
  /** Holds writes until the returned release (one system call per burst). */
  cork?(): () => void;
  /** Called once: writes the transport's last frame for `ending`, if any, and closes. */
  end(ending: StreamEnding): void;
  /** Registers the listener for the client going away. */
  onGone(listener: () => void): void;
}

interface Burst {
  unsentAtStart: number;
  /** Uncorks the connection; undefined once uncorked (or when the codec has no cork). */
  release: (() => void) | undefined;
}

export interface SubscriptionCoreOptions {
  store: Store;
  observer: StreamObserver;
  log: FastifyBaseLogger;
  sendBufferBytes: number;
  heartbeatMs: number;
}

export interface SubscribeOptions<Tag> {
  /** After the run's terminal event: end the connection once no subscription is left, or keep it open. */
  onTerminal: 'end' | 'keep';
  /** After a resync or a failed log read: end the connection, or keep it open for other subscriptions. */
  onResync: 'end' | 'keep';
  tag?: Tag;
  /**
   * Whether this subscription opens a stream (the default): an opening one is logged, and
   * counts as a resume when it starts from a position. A long-poll's later polls do not open.
   */
  opening?: boolean;
}

/** A client error logs at warn: nothing a client sends is the server's failure. */
const isClientError = (error: UnfoldError): boolean => error.httpStatus < 500;

/**
 * One streaming connection and the run subscriptions it carries, for every transport:
 * replay then live (`followRun`), resume and resync counting, the send-buffer cut-off
 * with replay backpressure, heartbeats, delivery metrics, log lines, and the one error
 * path: any throw — in a message handler, a codec, a follow callback, sync or async —
 * becomes a coded error frame (or an ending), never an exception out of an event handler.
 */
export class SubscriptionCore<Tag = undefined, Codec extends StreamCodec<Tag> = StreamCodec<Tag>> {
  private readonly follows = new Map<string, Follow>();
  private readonly budget: SendBudget;
  private readonly log: StreamLog;
  private readonly closeConnection: () => void;
  private readonly heartbeat: NodeJS.Timeout | undefined;
  /** The writes of this turn: bytes the client had not taken before it, and the cork. */
  private burst: Burst | undefined;
  private ended = false;
  private readonly endListeners: Array<() => void> = [];

  constructor(
    private readonly codec: Codec,
    private readonly options: SubscriptionCoreOptions,
  ) {
    this.budget = new SendBudget(options.sendBufferBytes);
    this.log = new StreamLog(options.log, options.store, codec.transport);
    this.closeConnection = options.observer.opened(codec.transport);
    codec.onGone(() => this.end({ reason: 'client_gone' }));
    if (codec.writeHeartbeat) {
      const beat = codec.writeHeartbeat.bind(codec);
      this.heartbeat = setInterval(() => this.guard(() => this.write(beat)), options.heartbeatMs);
      // The server's listening socket keeps the process up, not a stream's heartbeat.
      this.heartbeat.unref();
    }
  }

  get subscriptionCount(): number {
    return this.follows.size;
  }

  /** Hears of the connection ending, once, however it ends (or at once if it has). */
  onEnded(listener: () => void): void {
    if (this.ended) listener();
    else this.endListeners.push(listener);
  }

  /** The runs followed now, by key (a refreshed token may no longer cover some of them). */
  get runIds(): string[] {
    return [...this.follows.keys()];
  }

  has(runId: string): boolean {
    return this.follows.has(runId);
  }

  /** Follows a run (by its key, run-key.ts) from `request.after`; returns the follow (its position is where it got to). */
  subscribe(runId: string, request: SubscriptionRequest, options: SubscribeOptions<Tag>): Follow | undefined {
    if (this.ended) return undefined;
    this.unsubscribe(runId);
    const { store, observer } = this.options;
    const transport = this.codec.transport;
    if (options.opening ?? true) {
      this.log.happened('subscribe', runId);
      if (request.after > 0) {
        observer.resumed(transport);
        this.log.happened('resume', runId);
      }
    }
    const { tag } = options;
    const follow = followRun(
      store,
      runId,
      { after: request.after, epoch: request.epoch, types: request.types },
      {
        event: (event) =>
          this.guard(() => {
            this.budget.sent(eventJson(event).length);
            if (this.write((codec) => codec.writeEvent(event, tag as Tag))) observer.delivered(event, transport);
            if (!isTerminalEventType(event.event_type)) return;
            this.follows.delete(runId);
            this.endIfDone(options);
          }, runId),
        resync: (frame) =>
          this.guard(() => {
            observer.resync(transport);
            this.log.happened('resync', runId);
            this.follows.delete(runId);
            if (options.onResync === 'end') return this.end({ reason: 'resync', frame });
            this.sendControl(frame, tag);
            this.endIfDone(options);
          }, runId),
        backpressure: () => this.roomToSend(),
        error: (error) =>
          this.guard(() => {
            this.follows.delete(runId);
            // A coded store failure (storage_unavailable) keeps its code: the client can tell a
            // full disk from a bug, and both resume from the last seq.
            // Stryker disable next-line ObjectLiteral: the cause reaches only a log line's err, and the line below logs the error itself
            const failure = UnfoldError.isInstance(error) ? error : new UnfoldError('internal_error', 'the event log failed; subscribe again from the last seq', { cause: error });
            this.options.log.error({ err: error, run_id: runId, transport }, 'stream follow failed');
            if (options.onResync === 'end') return this.end({ reason: 'failed', error: failure, runId: publicRunId(runId) });
            this.sendError(failure, runId, tag);
            this.endIfDone(options);
          }, runId),
      },
    );
    this.follows.set(runId, follow);
    return follow;
  }

  unsubscribe(runId: string): boolean {
    const follow = this.follows.get(runId);
    if (!follow) return false;
    follow.stop();
    this.follows.delete(runId);
    return true;
  }

  sendControl(frame: ControlFrame, tag?: Tag): void {
    this.write((codec) => {
      codec.flush?.();
      codec.writeControl(frame, tag);
    });
  }

  /**
   * Writes through the cut-off and the burst's cork, e.g. a transport's own text frame;
   * false when the connection has ended (or just has, cut off) and nothing was written.
   */
  write(write: (codec: Codec) => void): boolean {
    if (this.ended) return false;
    if (!this.burst && !this.beginBurst()) return false;
    write(this.codec);
    const burst = this.burst;
    // Stryker disable next-line BooleanLiteral,ConditionalExpression: unreachable, beginBurst has just set the burst and only its microtask clears it; this narrows the type
    if (!burst) return true;
    let unsent = this.codec.unsentBytes();
    if (burst.release && this.budget.isBurstFull(unsent - burst.unsentAtStart)) {
      burst.release();
      burst.release = undefined;
      // Uncorked, the kernel has taken what the client could read.
      unsent = this.codec.unsentBytes();
    }
    if (!burst.release && this.budget.isBehind(unsent)) this.cutOff();
    return true;
  }

  /**
   * Runs `work` (a message handler, a callback) so that whatever it throws, now or in the
   * promise it returns, becomes an error frame on this connection.
   */
  guard(work: () => unknown, runId?: string, tag?: Tag): void {
    try {
      const result = work();
      if (result instanceof Promise) result.catch((error: unknown) => this.fail(error, runId, tag));
    } catch (error) {
      this.fail(error, runId, tag);
    }
  }

  /** Tells the client what went wrong with a coded error frame; the connection stays open. */
  fail(error: unknown, runId?: string, tag?: Tag): void {
    const failure = toUnfoldError(error);
    this.logFailure(failure, runId);
    this.sendError(failure, runId, tag);
  }

  /** Refuses the connection: an error frame, then the ending that fits the error. */
  refuse(error: unknown): void {
    const failure = toUnfoldError(error);
    this.logFailure(failure);
    this.end({ reason: 'refused', error: failure });
  }

  /** Ends the connection once; frames held for batching go out first. */
  end(ending: StreamEnding): void {
    if (this.ended) return;
    this.ended = true;
    for (const follow of this.follows.values()) follow.stop();
    this.follows.clear();
    clearInterval(this.heartbeat);
    this.closeConnection();
    for (const listener of this.endListeners.splice(0)) listener();
    if (ending.reason === 'client_gone') return this.codec.end(ending);
    try {
      this.codec.flush?.();
      this.codec.end(ending);
    } catch (error) {
      this.options.log.error({ err: error, transport: this.codec.transport }, 'stream close failed');
    }
  }

  private sendError(failure: UnfoldError, runId: string | undefined, tag: Tag | undefined): void {
    const frame = errorFrame(failure, runId === undefined ? undefined : publicRunId(runId));
    try {
      this.sendControl(frame, tag);
    } catch (error) {
      // The codec itself failed: the connection cannot carry frames, so it ends.
      this.options.log.error({ err: error, transport: this.codec.transport }, 'stream write failed');
      this.end({ reason: 'refused', error: toUnfoldError(error) });
    }
  }

  private logFailure(failure: UnfoldError, runId?: string): void {
    // Stryker disable next-line ConditionalExpression: equivalent, pino leaves a run_id of undefined out of the line
    const line = { code: failure.code, transport: this.codec.transport, ...(runId !== undefined ? { run_id: runId } : {}) };
    if (isClientError(failure)) this.options.log.warn(line, failure.message);
    else this.options.log.error({ ...line, err: failure.cause ?? failure }, failure.message);
  }

  /**
   * A connection opened for its runs ends once none is left to follow; after this turn,
   * so every watcher of a run gets its terminal event before any pays for its close.
   */
  private endIfDone(options: SubscribeOptions<Tag>): void {
    if (options.onTerminal === 'end' && this.follows.size === 0) setImmediate(() => this.end({ reason: 'finished' }));
  }

  /**
   * The first write of a burst (one turn of the event loop): cuts the client off if it
   * has fallen behind (see SendBudget), else corks the connection until the turn is over
   * or the burst is too large to hold.
   */
  private beginBurst(): boolean {
    const unsentAtStart = this.codec.unsentBytes();
    if (this.budget.isBehind(unsentAtStart)) {
      this.cutOff();
      return false;
    }
    const burst: Burst = { unsentAtStart, release: this.codec.cork?.() };
    this.burst = burst;
    queueMicrotask(() => {
      this.burst = undefined;
      burst.release?.();
    });
    return true;
  }

  private cutOff(): void {
    this.options.observer.slowConsumer(this.codec.transport);
    const keys = [...this.follows.keys()];
    for (const key of keys) this.log.happened('slow_consumer', key);
    const [only] = keys;
    this.end({ reason: 'slow_consumer', runId: keys.length === 1 && only !== undefined ? publicRunId(only) : undefined });
  }

  /**
   * A replay waits while the client holds more than half the limit. Not every transport
   * has a drain event (`ws` has none), so a paused replay polls; only paused replays pay
   * for the timer.
   */
  private roomToSend(): Promise<void> | undefined {
    if (this.ended || this.budget.hasRoom(this.codec.unsentBytes())) return undefined;
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.ended || this.budget.hasRoom(this.codec.unsentBytes())) resolve();
        else setTimeout(check, 5);
      };
      setTimeout(check, 5);
    });
  }
}

import {
  UnfoldError,
  isControlFrame,
  isErrorCode,
  isTerminalEventType,
  type BuiltInEvent,
  type CustomEvent,
  type CustomEventType,
  type AnyEventType,
  type EventOf,
  type EventType,
  type NegotiateResponse,
  type ResyncFrame,
  type TransportName,
  type UnfoldEvent,
} from '@unfold/protocol';
import { backoffDelay, type ReconnectOptions } from './backoff.js';
import type { ConnectionState } from './connection-state.js';
import { absoluteUrl } from './http-api.js';
import { TokenRenewal } from './token-renewal.js';
import type { StreamFrame, Transport, TransportConnection, TransportEnd } from './transports/transport.js';

export interface WatchOptions {
  /** Start after this seq (the caller already holds everything up to it). */
  after?: number;
  /** Only these event types (custom `data-<name>` ones too); the terminal event always arrives. */
  types?: AnyEventType[];
  /** Ask WebSocket servers to batch events of one tick into one frame. */
  batch?: boolean;
}

/** A pipeline's custom events as a client knows them: each `data-<name>` type with its `data`. */
export type CustomEventMap = { [T in CustomEventType]?: unknown };
/** Any custom event when the pipeline's types are not known. */
export type AnyCustomEvents = { [T in CustomEventType]: unknown };

/** The events of a run of a pipeline with these custom events. */
export type RunEvent<Events extends CustomEventMap = AnyCustomEvents> =
  | BuiltInEvent
  | { [K in keyof Events & CustomEventType]: CustomEvent<K, Events[K]> }[keyof Events & CustomEventType];

export type RunStreamHandlers<Events extends CustomEventMap = AnyCustomEvents, Result = unknown> = { [T in Exclude<EventType, 'processing_completed'>]: (event: EventOf<T>) => void } & {
  processing_completed: (event: EventOf<'processing_completed'> & { result: Result }) => void;
} & { [K in keyof Events & CustomEventType]: (event: CustomEvent<K, Events[K]>) => void } & {
  /** Every stored event, in seq order, exactly once. */
  event: (event: RunEvent<Events>) => void;
  /** The server could not serve the position; the stream starts again from seq 1. */
  resync: (frame: ResyncFrame) => void;
  state: (state: ConnectionState) => void;
  error: (error: UnfoldError) => void;
};

export interface RunStreamDeps {
  baseUrl: string;
  fetch: typeof fetch;
  headers: Record<string, string>;
  transports: readonly Transport[];
  reconnect: ReconnectOptions;
  negotiate(runIds: string[]): Promise<NegotiateResponse>;
}

const FATAL_STATUSES = new Set([400, 401, 403, 404, 406, 413, 415, 422]);

/** An answer that retrying cannot change (a bad request, a refused key); an expired stream token is renegotiated instead. */
function isFatal(error: UnfoldError | undefined): error is UnfoldError {
  const status = error?.details?.['status'];
  return error !== undefined && typeof status === 'number' && FATAL_STATUSES.has(status) && error.code !== 'invalid_token';
}

/**
 * A run's events, exactly once and in order, over whichever transport works. Negotiates,
 * falls back down the transport list when one cannot connect, reconnects with backoff when
 * a live one drops, and resumes from the last seq it delivered.
 */
export class RunStream<Events extends CustomEventMap = AnyCustomEvents, Result = unknown> implements AsyncIterable<RunEvent<Events>> {
  private readonly handlers = new Map<string, Set<(value: never) => void>>();
  private position: number;
  private epoch: string | undefined;
  private connection: TransportConnection | undefined;
  /** Keeps the live connection's token fresh, where its transport can be refreshed. */
  private renewal: TokenRenewal | undefined;
  /** The connection attempt whose frames count, from `open` until its end. */
  private opening: symbol | undefined;
  private currentState: ConnectionState = { status: 'connecting', transport: undefined };
  private transportIndex = 0;
  private attempt = 0;
  private finished = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly queue: UnfoldEvent[] = [];
  private wake: (() => void) | undefined;
  private failure: UnfoldError | undefined;
  private settle!: { resolve(event: UnfoldEvent): void; reject(error: UnfoldError): void };
  /** The terminal event; rejects when the stream fails or is closed first. */
  readonly done: Promise<UnfoldEvent>;

  constructor(
    readonly runId: string,
    private readonly deps: RunStreamDeps,
    private readonly options: WatchOptions = {},
  ) {
    this.position = options.after ?? 0;
    this.done = new Promise<UnfoldEvent>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.done.catch(() => undefined); // observed through `done` or the iterator, never unhandled
    queueMicrotask(() => void this.connect());
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The last seq delivered. */
  get lastSeq(): number {
    return this.position;
  }

  on<K extends keyof RunStreamHandlers<Events, Result> & string>(name: K, handler: NoInfer<RunStreamHandlers<Events, Result>[K]>): () => void {
    let set = this.handlers.get(name);
    if (!set) {
      set = new Set();
      this.handlers.set(name, set);
    }
    set.add(handler as (value: never) => void);
    return () => set.delete(handler as (value: never) => void);
  }

  close(): void {
    // Stryker disable next-line ConditionalExpression: equivalent, end() ignores a second ending itself
    if (this.finished) return;
    this.end({ status: 'closed', reason: 'closed' }, new UnfoldError('cancelled', 'the stream was closed'));
  }

  /** Ends the stream with an error, e.g. when the run it waits for could not be created. */
  fail(error: UnfoldError): void {
    if (this.finished) return;
    this.emit('error', error);
    this.end({ status: 'closed', reason: 'failed', error }, error);
  }

  /**
   * The run's result once it completes; rejects with the run's error code when it fails
   * (`cancelled` when it was cancelled), or when the stream fails or is closed first.
   */
  async result(): Promise<Result> {
    const terminal = await this.done;
    if (terminal.event_type === 'processing_completed') return terminal.result as Result;
    if (terminal.event_type === 'processing_cancelled') throw new UnfoldError('cancelled', terminal.reason);
    const failed = terminal as EventOf<'processing_failed'>;
    throw new UnfoldError(isErrorCode(failed.code) ? failed.code : 'internal_error', failed.error, { details: { run_id: this.runId, ...(failed.tool_name ? { tool_name: failed.tool_name } : {}) } });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RunEvent<Events>> {
    try {
      for (;;) {
        const event = this.queue.shift() as RunEvent<Events> | undefined;
        if (event) {
          yield event;
          // Stryker disable next-line ConditionalExpression: equivalent, the terminal event finishes the stream as it is queued, so the loop returns next anyway
          if (isTerminalEventType(event.event_type)) return;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.finished) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      this.close();
    }
  }

  private async connect(): Promise<void> {
    if (this.finished) return;
    let negotiated: NegotiateResponse;
    try {
      negotiated = await this.deps.negotiate([this.runId]);
    } catch (error) {
      const failure = toUnfoldError(error);
      // A missing, wrong or revoked key stays so: say it rather than retry.
      return isFatal(failure) ? this.fail(failure) : this.retry(failure, false);
    }
    if (this.finished) return;
    const offered = new Map(negotiated.transports.map((entry) => [entry.transport, entry.url]));
    const usable = this.deps.transports.filter((transport) => offered.has(transport.name));
    if (usable.length === 0) return this.fail(new UnfoldError('not_acceptable', 'the server offers none of the transports this client allows'));
    const transport = usable[this.transportIndex % usable.length] as Transport;
    this.setState({ status: 'connecting', transport: transport.name });
    const url = new URL(absoluteUrl(this.deps.baseUrl, (offered.get(transport.name) as string).replace('{run_id}', encodeURIComponent(this.runId))));
    if (this.position > 0) url.searchParams.set('after', String(this.position));
    if (this.epoch !== undefined && this.position > 0) url.searchParams.set('epoch', this.epoch);
    if (this.options.types?.length) url.searchParams.set('types', this.options.types.join(','));
    if (this.options.batch && transport.name === 'websocket') url.searchParams.set('batch', '1');
    url.searchParams.set('access_token', negotiated.token);

    let live = false;
    // This attempt's identity: frames and ends of any other (older) connection are stale.
    const opening = Symbol(transport.name);
    this.opening = opening;
    const ended = (end: TransportEnd): void => {
      if (this.opening !== opening) return;
      this.opening = undefined;
      this.connection = undefined;
      this.stopRenewal();
      this.onEnd(end, live, usable.length);
    };
    let connection: TransportConnection;
    try {
      connection = transport.open(
        { url: url.toString(), after: this.position, fetch: this.deps.fetch, headers: this.deps.headers },
        {
          frame: (frame) => {
            if (this.opening !== opening) return;
            if (!live && frame.event_type === 'connected') {
              live = true;
              this.attempt = 0;
              this.renewWhileLive(opening, negotiated.expires_at);
              this.setState({ status: 'live', transport: transport.name, resumed: this.position > 0 });
            }
            this.onFrame(frame, transport.name);
          },
          end: ended,
        },
      );
    } catch (error) {
      // A transport can fail while opening (a browser's WebSocket constructor throws on a
      // blocked or malformed URL): that is a connection that never came up, so fall back.
      return ended({ error: toUnfoldError(error) });
    }
    // A transport may also have ended while opening; then there is nothing to hold.
    if (this.opening === opening) this.connection = connection;
  }

  /** From now until the connection ends: a new token before this one expires, sent on the connection, if it can take one. */
  private renewWhileLive(opening: symbol, expiresAt: string): void {
    if (!this.connection?.refresh) return;
    this.renewal = new TokenRenewal(async () => {
      const { token } = await this.deps.negotiate([this.runId]);
      if (this.opening === opening) this.connection?.refresh?.(token);
    });
    this.renewal.schedule(expiresAt);
  }

  private stopRenewal(): void {
    this.renewal?.stop();
    this.renewal = undefined;
  }

  private onFrame(frame: StreamFrame, transport: TransportName): void {
    if (isControlFrame(frame)) {
      if (frame.event_type === 'connected') this.epoch = frame.epoch;
      else if (frame.event_type === 'refreshed') this.renewal?.schedule(frame.expires_at);
      else if (frame.event_type === 'resync') this.onResync(frame);
      else if (frame.event_type === 'error') this.emit('error', new UnfoldError(isErrorCode(frame.code) ? frame.code : 'internal_error', frame.message, { transient: true, details: { transport } }));
      return;
    }
    const event = frame;
    if (event.seq <= this.position) return; // at-least-once on the wire, exactly once here
    if (!this.options.types && event.seq !== this.position + 1) {
      // A gap means this connection cannot be trusted: resume from what we hold.
      this.connection?.close();
      return;
    }
    this.position = event.seq;
    this.emit('event', event);
    this.emit(event.event_type, event as never);
    this.queue.push(event);
    this.wakeIterator();
    if (isTerminalEventType(event.event_type)) {
      this.settle.resolve(event);
      this.end({ status: 'closed', reason: 'completed' });
    }
  }

  private onResync(frame: ResyncFrame): void {
    this.emit('resync', frame);
    if (frame.status === null) {
      this.fail(new UnfoldError('resync_required', `run ${this.runId} is no longer held by the server`));
      return;
    }
    // Told, not skipped: start again from the beginning of the run in the new epoch.
    this.position = 0;
    this.epoch = frame.epoch;
  }

  private onEnd(end: TransportEnd, wasLive: boolean, transportCount: number): void {
    // Stryker disable next-line ConditionalExpression: equivalent, end() forgets the open attempt, so no connection's end reaches here after it
    if (this.finished) return;
    const error = end.error;
    if (isFatal(error)) return this.fail(error);
    if (!wasLive) this.transportIndex = (this.transportIndex + 1) % transportCount;
    // A transport that never connected falls through to the next at once; only a full
    // round of failures, or the loss of a live connection, waits.
    const fellBack = !wasLive && this.transportIndex !== 0;
    // An expired token is no fault of the server's: negotiate a new one at once.
    const expired = end.error?.code === 'token_expired';
    this.retry(error ?? new UnfoldError('server_busy', 'the connection ended before the run did', { transient: true }), fellBack || expired);
  }

  private retry(error: UnfoldError, immediately: boolean): void {
    if (this.finished) return;
    this.attempt++;
    if (this.attempt > this.deps.reconnect.maxAttempts) return this.fail(error);
    const delayMs = immediately ? 0 : backoffDelay(this.attempt, this.deps.reconnect);
    const transport = this.currentState.status === 'closed' ? undefined : this.currentState.transport;
    this.setState({ status: 'reconnecting', transport, attempt: this.attempt, delayMs, error });
    this.retryTimer = setTimeout(() => void this.connect(), delayMs);
  }

  private end(state: ConnectionState & { status: 'closed' }, error?: UnfoldError): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.retryTimer);
    this.opening = undefined;
    this.stopRenewal();
    const connection = this.connection;
    this.connection = undefined;
    connection?.close();
    if (error) {
      if (state.reason === 'failed') this.failure = error;
      this.settle.reject(error);
    }
    this.setState(state);
    this.wakeIterator();
  }

  private setState(state: ConnectionState): void {
    this.currentState = state;
    this.emit('state', state);
  }

  private wakeIterator(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private emit<K extends keyof RunStreamHandlers & string>(name: K, value: Parameters<RunStreamHandlers[K]>[0]): void {
    for (const handler of this.handlers.get(name) ?? []) {
      try {
        (handler as (value: unknown) => void)(value);
      } catch {
        // an application handler's error must not break delivery to the others
      }
    }
  }
}

function toUnfoldError(error: unknown): UnfoldError {
  return UnfoldError.isInstance(error) ? error : new UnfoldError('server_busy', (error as Error).message ?? String(error), { transient: true, cause: error });
}

import { isTerminalEventType, type AnyEventType, type ResyncFrame, type UnfoldEvent } from '@unfold/protocol';
import { publicRunId } from './run-key.js';
import type { Store } from './store.js';

export interface FollowOptions {
  /** The subscriber holds every event up to this seq; 0 means from the start. */
  after: number;
  /** Epoch the `after` position belongs to; when it differs from the store's, the answer is a resync. */
  epoch?: string | undefined;
  /** Deliver only these types (the terminal lifecycle event always goes through). */
  types?: ReadonlySet<AnyEventType> | undefined;
  /** Events read from the log per replay page. */
  pageSize?: number;
  /** Live events held while the replay runs; past this the replay re-reads them from the log. */
  maxPending?: number;
}

export interface FollowHandlers {
  event(event: UnfoldEvent): void;
  /** The position cannot be served; the follow has ended. */
  resync(frame: ResyncFrame): void;
  /** Replay is done and live delivery starts (useful for tests and metrics). */
  live?(): void;
  /**
   * Asked after each replayed event: a promise pauses the replay until the subscriber's
   * buffer has room. History is read at the consumer's pace; only live events, whose
   * producer cannot wait, are subject to the slow-consumer cut-off.
   */
  backpressure?(): Promise<void> | undefined;
  /** The store failed while reading; the follow has ended and the subscriber should retry. */
  error(error: unknown): void;
}

export interface Follow {
  stop(): void;
  /** Seq of the last event handed out (filtered-out events count as passed). */
  readonly position: number;
}

/**
 * Replay-then-live for one run, with no gap and no duplicate (docs/protocol.md, *Delivery guarantees*).
 *
 * The live listener is registered before the history is read, so nothing appended
 * during the replay can fall between the two; events it buffers meanwhile are drained
 * after the replay with every seq at or below the replayed position dropped. A run that
 * does not exist yet is followed from seq 1 (subscribe before start).
 */
export function followRun(store: Store, runId: string, options: FollowOptions, handlers: FollowHandlers): Follow {
  const pageSize = options.pageSize ?? 500;
  const maxPending = options.maxPending ?? 1_000;
  let position = options.after;
  let stopped = false;
  let replaying = true;
  let pending: UnfoldEvent[] = [];
  // Set when live events arrived faster than a paused replay could take them; they are
  // in the log, so the replay reads on instead of holding them in memory.
  // Stryker disable next-line BooleanLiteral: equivalent, every page read sets it false first
  let overflowed = false;

  const deliver = (event: UnfoldEvent): void => {
    if (stopped || event.seq <= position) return;
    position = event.seq;
    const terminal = isTerminalEventType(event.event_type);
    if (!options.types || terminal || options.types.has(event.event_type)) handlers.event(event);
    if (terminal) stop();
  };

  const unlisten = store.events.onAppend(
    runId,
    (event) => {
      if (!replaying) return deliver(event);
      // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent in delivery, the buffer saves reads, not events: without it, or with one event more or less, the replay reads on from the log
      if (pending.length < maxPending) return void pending.push(event);
      pending = [];
      overflowed = true;
    },
    // The run's next events were not stored: rather than silence, the subscriber is told to
    // come back, and resumes from what the log does hold.
    (error) => fail(error),
  );

  function fail(error: unknown): void {
    if (stopped) return;
    stop();
    handlers.error(error);
  }

  function stop(): void {
    // Stryker disable next-line ConditionalExpression: equivalent, unlistening and emptying the buffer a second time change nothing
    if (stopped) return;
    stopped = true;
    unlisten();
    pending = [];
  }

  const resync = async (reason: ResyncFrame['reason']): Promise<void> => {
    const run = await store.runs.get(runId);
    const lastSeq = await store.events.lastSeq(runId);
    if (stopped) return;
    stop();
    handlers.resync({ event_type: 'resync', run_id: publicRunId(runId), reason, status: run?.status ?? null, epoch: store.events.epoch, last_seq: lastSeq });
  };

  const start = async (): Promise<void> => {
    if (options.epoch !== undefined && options.epoch !== store.events.epoch) return resync('epoch_changed');
    if (options.after > 0) {
      const [first, last] = await Promise.all([store.events.firstSeq(runId), store.events.lastSeq(runId)]);
      // Position beyond the log (log lost, or an empty log) or before what retention kept:
      // never skip silently.
      if (last < options.after || first > options.after + 1) return resync('position_gone');
    }
    for (;;) {
      if (stopped) return;
      overflowed = false;
      const page = await store.events.read(runId, position, pageSize);
      for (const event of page) {
        deliver(event);
        const wait = handlers.backpressure?.();
        if (wait) await wait;
        if (stopped) return;
      }
      if (page.length < pageSize && !overflowed) break;
    }
    replaying = false;
    const buffered = pending;
    pending = [];
    for (const event of buffered) deliver(event);
    if (!stopped) handlers.live?.();
  };

  start().catch(fail);

  return {
    stop,
    get position() {
      return position;
    },
  };
}

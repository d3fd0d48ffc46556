import { publicRunId } from '@unfold/engine';
import { UnfoldError, isTerminalEventType, type PollResponse, type ResyncFrame, type UnfoldEvent } from '@unfold/protocol';
import { SubscriptionCore, type StreamEnding, type SubscriptionCoreOptions } from './subscription-core.js';
import type { SubscriptionRequest } from './subscription-request.js';

export interface LongPollOptions {
  core: SubscriptionCoreOptions;
  /** The run's key (run-key.ts). */
  runId: string;
  subscription: SubscriptionRequest;
  waitMs: number;
  limit: number;
  /** Aborted when the client goes away, so a waiting poll holds nothing. */
  signal: AbortSignal;
  /**
   * Admits the poll as one of its key's connections and keeps it while it waits (OpenConnections.open):
   * a revoked key's poll ends at once, answered `key_revoked`, and a waiting poll counts against the limit.
   */
  open(connect: () => SubscriptionCore): Promise<SubscriptionCore>;
}

/** Thrown as a 410 whose body carries the resync frame. */
export class ResyncRequired extends UnfoldError {
  constructor(readonly frame: ResyncFrame) {
    super('resync_required', `position ${frame.reason === 'epoch_changed' ? 'belongs to another epoch' : 'is no longer in the log'}; start again from 0`, {
      details: { resync: frame },
    });
  }
}

/**
 * Answers with the events after `after` as soon as there is at least one, or with none
 * once `waitMs` passes. Events appended in the same tick as the first are included, so
 * a burst costs one round trip. The answer is the connection: the core collects into it.
 */
export async function longPoll(options: LongPollOptions): Promise<PollResponse> {
  const { runId, subscription } = options;
  const { store } = options.core;
  const events: UnfoldEvent[] = [];
  let answer!: (ending: StreamEnding) => void;
  const ended = new Promise<StreamEnding>((resolve) => (answer = resolve));
  const core: SubscriptionCore = await options.open(() => new SubscriptionCore(
    {
      transport: 'long-poll',
      unsentBytes: () => 0,
      writeEvent(event) {
        events.push(event);
        if (events.length >= options.limit) core.end({ reason: 'finished' });
        else if (events.length === 1) setImmediate(() => core.end({ reason: 'finished' }));
      },
      // Errors and resyncs end the poll and become its HTTP answer instead.
      writeControl: () => undefined,
      end: answer,
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent, a signal aborts once, so its listener runs once either way
    onGone: (listener) => options.signal.addEventListener('abort', listener, { once: true }),
    },
    options.core,
  ));
  const timer = setTimeout(() => core.end({ reason: 'finished' }), options.waitMs);
  // Long-polling has no connection, but a client opens it with a request that does not
  // wait (the SDK does) and then polls with a wait: the opening request is the subscribe
  // (and, from a position, the resume); the polls after it are not.
  const follow = core.subscribe(runId, subscription, { onTerminal: 'end', onResync: 'end', opening: options.waitMs === 0 });
  const ending = await ended;
  clearTimeout(timer);
  if (ending.reason === 'resync') throw new ResyncRequired(ending.frame);
  if (ending.reason === 'failed' || ending.reason === 'refused') throw ending.error;
  const run = await store.runs.get(runId);
  const last = events.at(-1);
  return {
    run_id: publicRunId(runId),
    status: run?.status ?? null,
    epoch: store.events.epoch,
    events,
    // Filtered-out events count as passed, so the next poll does not read them again.
    last_seq: Math.max(follow?.position ?? subscription.after, last?.seq ?? 0),
    done: last !== undefined && isTerminalEventType(last.event_type),
  };
}

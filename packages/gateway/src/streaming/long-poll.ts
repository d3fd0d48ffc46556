import { UnfoldError, isTerminalEventType, type PollResponse, type ResyncFrame, type UnfoldEvent } from '@unfold/protocol';
import { followRun, type Follow, type Store } from '@unfold/engine';
import type { StreamObserver } from './stream-observer.js';
import type { SubscriptionRequest } from './subscription-request.js';

export interface LongPollOptions {
  store: Store;
  runId: string;
  subscription: SubscriptionRequest;
  waitMs: number;
  limit: number;
  observer: StreamObserver;
  /** Aborted when the client goes away, so a waiting poll holds nothing. */
  signal: AbortSignal;
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
 * a burst costs one round trip.
 */
export async function longPoll(options: LongPollOptions): Promise<PollResponse> {
  const { store, runId, subscription, observer } = options;
  const close = observer.opened('long-poll');
  // Long-polling has no connection to resume, but a client opens it with a request that
  // does not wait (the SDK does) and then polls with a wait: an opening request from a
  // position is the resume; the polls after it are not.
  if (subscription.after > 0 && options.waitMs === 0) observer.resumed('long-poll');
  try {
    let position = subscription.after;
    const events = await new Promise<UnfoldEvent[]>((resolve, reject) => {
      const collected: UnfoldEvent[] = [];
      let settled = false;
      let follow: Follow | undefined;
      const settle = (): void => {
        if (settled) return;
        settled = true;
        // Filtered-out events count as passed, so the next poll does not read them again.
        position = follow?.position ?? position;
        follow?.stop();
        clearTimeout(timer);
        options.signal.removeEventListener('abort', settle);
        resolve(collected);
      };
      const timer = setTimeout(settle, options.waitMs);
      options.signal.addEventListener('abort', settle, { once: true });
      follow = followRun(
        store,
        runId,
        { after: subscription.after, epoch: subscription.epoch, types: subscription.types },
        {
          event(event) {
            if (settled) return;
            collected.push(event);
            if (collected.length >= options.limit || isTerminalEventType(event.event_type)) settle();
            else if (collected.length === 1) setImmediate(settle);
          },
          resync(frame) {
            observer.resync('long-poll');
            settled = true;
            clearTimeout(timer);
            reject(new ResyncRequired(frame));
          },
          error(error) {
            settled = true;
            clearTimeout(timer);
            reject(error);
          },
        },
      );
    });
    for (const event of events) observer.delivered(event, 'long-poll');
    const run = await store.runs.get(runId);
    const last = events.at(-1);
    return {
      run_id: runId,
      status: run?.status ?? null,
      epoch: store.events.epoch,
      events,
      last_seq: Math.max(position, last?.seq ?? 0),
      done: last !== undefined && isTerminalEventType(last.event_type),
    };
  } finally {
    close();
  }
}

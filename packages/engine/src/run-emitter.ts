import type { EventDraft, UnfoldEvent } from '@unfold/protocol';
import type { TraceIds } from './run-tracing.js';
import type { EventLog, NewEvent } from './store/store.js';

export type EnvelopeFields = Omit<NewEvent, keyof EventDraft | 'event_type'>;

/**
 * Hands a run's events to the log in the order they were emitted (the log assigns seqs in
 * call order, so nothing waits for the previous write), and refuses anything after the
 * terminal event so that event is always the run's last.
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
  ) {}

  /** Queues an event, stamped with the span it belongs to; returns false when the run has already ended. */
  emit(draft: EventDraft, trace?: TraceIds): boolean {
    if (this.sealed) return false;
    this.enqueue(draft, trace);
    return true;
  }

  /** Appends the terminal event after everything queued before it, then seals the emitter. */
  async finish(draft: EventDraft, trace?: TraceIds): Promise<UnfoldEvent> {
    this.sealed = true;
    const appended = this.enqueue(draft, trace);
    // The log settles a run's appends in call order, so the last one settling means all have.
    await this.last.catch(() => undefined);
    if (this.failure !== undefined) throw this.failure;
    return appended;
  }

  private enqueue(draft: EventDraft, trace: TraceIds | undefined): Promise<UnfoldEvent> {
    const appended = this.log.append(this.runId, (trace ? { ...this.envelope, ...trace, ...draft } : { ...this.envelope, ...draft }) as NewEvent);
    this.onEmit?.(draft, trace);
    // A failed append surfaces at finish(); until then the run goes on.
    appended.catch((error: unknown) => {
      this.failure ??= error;
    });
    this.last = appended;
    return appended;
  }
}

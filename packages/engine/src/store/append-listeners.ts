import type { UnfoldEvent } from '@unfold/protocol';
import type { AppendFailureListener, AppendListener } from './store.js';

/** Per-run listeners called synchronously, in order, after each append (and when one fails). */
export class AppendListeners {
  private readonly byRun = new Map<string, Map<AppendListener, AppendFailureListener | undefined>>();

  add(runId: string, listener: AppendListener, onFailed?: AppendFailureListener): () => void {
    let set = this.byRun.get(runId);
    if (!set) {
      set = new Map();
      this.byRun.set(runId, set);
    }
    set.set(listener, onFailed);
    return () => {
      const current = this.byRun.get(runId);
      if (!current) return;
      current.delete(listener);
      // Stryker disable next-line ConditionalExpression: equivalent in behaviour, an empty map left for a run notifies no one; dropping it is memory, which no test sees
      if (current.size === 0) this.byRun.delete(runId);
    };
  }

  notify(runId: string, event: UnfoldEvent): void {
    this.notifyAll(runId, [event]);
  }

  /**
   * Hands a run's burst to each listener in turn, all of it at once: a subscriber's
   * socket then writes the burst back to back (one system call when corked) instead of
   * once per event per subscriber.
   */
  notifyAll(runId: string, events: readonly UnfoldEvent[]): void {
    const set = this.byRun.get(runId);
    if (!set) return;
    for (const listener of set.keys()) {
      for (const event of events) {
        try {
          listener(event);
        } catch {
          // One subscriber's failure must not break the append or the other subscribers.
        }
      }
    }
  }

  /** Tells a run's listeners that its events could not be stored: what they follow has a hole. */
  fail(runId: string, error: unknown): void {
    for (const onFailed of this.byRun.get(runId)?.values() ?? []) {
      try {
        onFailed?.(error);
      } catch {
        // As with events: one subscriber's failure must not reach the others.
      }
    }
  }
}

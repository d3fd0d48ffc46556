import type { UnfoldEvent } from '@unfold/protocol';
import type { AppendListener } from './store.js';

/** Per-run listeners called synchronously, in order, after each append. */
export class AppendListeners {
  private readonly byRun = new Map<string, Set<AppendListener>>();

  add(runId: string, listener: AppendListener): () => void {
    let set = this.byRun.get(runId);
    if (!set) {
      set = new Set();
      this.byRun.set(runId, set);
    }
    set.add(listener);
    return () => {
      const current = this.byRun.get(runId);
      if (!current) return;
      current.delete(listener);
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
    for (const listener of set) {
      for (const event of events) {
        try {
          listener(event);
        } catch {
          // One subscriber's failure must not break the append or the other subscribers.
        }
      }
    }
  }
}

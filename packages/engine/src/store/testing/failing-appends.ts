import { UnfoldError } from '@unfold/protocol';
import type { NewEvent, Store } from '../store.js';

/**
 * A real store whose log refuses the appends `refuse` picks, as a full disk would: the
 * refused event is not stored and its run's listeners hear of the failure. Test-only.
 */
export function withFailingAppends(store: Store, refuse: (runId: string, event: NewEvent) => boolean): Store {
  const failed = new Map<string, Set<(error: unknown) => void>>();
  const events = Object.create(store.events) as Store['events'];
  events.append = async (runId, event) => {
    if (!refuse(runId, event)) return store.events.append(runId, event);
    const error = new UnfoldError('storage_unavailable', 'no space left on the test disk');
    for (const onFailed of failed.get(runId) ?? []) onFailed(error);
    throw error;
  };
  events.onAppend = (runId, listener, onFailed) => {
    const unlisten = store.events.onAppend(runId, listener);
    if (!onFailed) return unlisten;
    const set = failed.get(runId) ?? new Set();
    failed.set(runId, set.add(onFailed));
    return () => {
      set.delete(onFailed);
      unlisten();
    };
  };
  return { ...store, events };
}

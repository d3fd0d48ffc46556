import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { AnyEventType, RunStatus, UnfoldEvent, UnfoldError } from '@unfold/protocol';
import type { ConnectionState } from '../connection-state.js';
import type { UnfoldClient } from '../unfold-client.js';
import { RunSnapshotStore } from './run-snapshot-store.js';

export interface UseRunOptions {
  client: UnfoldClient;
  types?: AnyEventType[];
}

export interface RunView {
  events: readonly UnfoldEvent[];
  /** From the lifecycle events; `unknown` until the first one arrives. */
  status: RunStatus | 'unknown';
  connection: ConnectionState;
  lastEvent: UnfoldEvent | undefined;
  error: UnfoldError | undefined;
}

/** Follows a run and re-renders on each event. A new `runId` follows the new run. */
export function useRun(runId: string | undefined, options: UseRunOptions): RunView {
  const typesKey = options.types?.join(',') ?? '';
  const store = useMemo(
    () => (runId === undefined ? undefined : new RunSnapshotStore(options.client, runId, options.types)),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- types compared by value
    [options.client, runId, typesKey],
  );
  useEffect(() => () => store?.dispose(), [store]);
  return useSyncExternalStore(
    store ? store.subscribe : noSubscribe,
    store ? store.getSnapshot : idleSnapshot,
    store ? store.getSnapshot : idleSnapshot,
  );
}

const IDLE: RunView = { events: [], status: 'unknown', connection: { status: 'closed', reason: 'closed' }, lastEvent: undefined, error: undefined };
const idleSnapshot = (): RunView => IDLE;
const noSubscribe = (): (() => void) => () => undefined;
export { RunSnapshotStore } from './run-snapshot-store.js';

import { isTerminalEventType, type EventType, type RunStatus, type UnfoldEvent } from '@unfold/protocol';
import type { RunStream } from '../run-stream.js';
import type { UnfoldClient } from '../unfold-client.js';
import type { RunView } from './use-run.js';

const STATUS_BY_EVENT: Partial<Record<EventType, RunStatus>> = {
  processing_started: 'running',
  processing_completed: 'completed',
  processing_failed: 'failed',
  processing_cancelled: 'cancelled',
};

/**
 * The external store behind `useRun`: opens the run's stream on the first subscriber,
 * keeps an immutable snapshot per change (what `useSyncExternalStore` needs), and
 * closes the stream when disposed.
 */
export class RunSnapshotStore {
  private stream: RunStream | undefined;
  private readonly listeners = new Set<() => void>();
  private snapshot: RunView = { events: [], status: 'unknown', connection: { status: 'connecting', transport: undefined }, lastEvent: undefined, error: undefined };

  constructor(
    private readonly client: UnfoldClient,
    private readonly runId: string,
    private readonly types: EventType[] | undefined,
  ) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    this.open();
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): RunView => this.snapshot;

  dispose(): void {
    this.stream?.close();
    this.stream = undefined;
  }

  private open(): void {
    if (this.stream) return;
    const stream = this.client.watch(this.runId, this.types ? { types: this.types } : {});
    this.stream = stream;
    stream.on('event', (event) => this.onEvent(event));
    stream.on('state', (connection) => this.update({ connection }));
    stream.on('error', (error) => this.update({ error }));
    stream.on('resync', () => this.update({ events: [], lastEvent: undefined, status: 'unknown' }));
  }

  private onEvent(event: UnfoldEvent): void {
    const status = STATUS_BY_EVENT[event.event_type] ?? this.snapshot.status;
    this.update({ events: [...this.snapshot.events, event], lastEvent: event, status });
    if (isTerminalEventType(event.event_type)) this.stream = undefined;
  }

  private update(patch: Partial<RunView>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }
}

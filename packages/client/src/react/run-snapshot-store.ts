import { isTerminalEventType, type AnyEventType, type RunStatus, type UnfoldEvent } from '@unfold/protocol';
import type { RunStream } from '../run-stream.js';
import type { UnfoldClient } from '../unfold-client.js';
import type { RunView } from './use-run.js';

const STATUS_BY_EVENT: Partial<Record<AnyEventType, RunStatus>> = {
  processing_started: 'running',
  processing_completed: 'completed',
  processing_failed: 'failed',
  processing_cancelled: 'cancelled',
};

/** Once per frame in a browser (a render per frame is all a person sees), every 16 ms elsewhere. */
const nextFrame: (callback: () => void) => void =
  typeof requestAnimationFrame === 'function' ? (callback) => requestAnimationFrame(() => callback()) : (callback) => setTimeout(callback, 16);

/**
 * The external store behind `useRun`: opens the run's stream on the first subscriber,
 * publishes an immutable snapshot (what `useSyncExternalStore` needs) at most once a
 * frame with every change since the last — a run streaming thousands of events a second
 * costs a render per frame, not per event — and closes the stream when disposed.
 */
export class RunSnapshotStore {
  private stream: RunStream | undefined;
  private readonly listeners = new Set<() => void>();
  private snapshot: RunView = { events: [], status: 'unknown', connection: { status: 'connecting', transport: undefined }, lastEvent: undefined, error: undefined };
  /** The events so far, appended in place; each snapshot gets its own copy. */
  private events: UnfoldEvent[] = [];
  private next: Partial<RunView> = {};
  private scheduled = false;

  constructor(
    private readonly client: UnfoldClient,
    private readonly runId: string,
    private readonly types: AnyEventType[] | undefined,
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
    stream.on('resync', () => {
      this.events = [];
      this.update({ lastEvent: undefined, status: 'unknown' });
    });
  }

  private onEvent(event: UnfoldEvent): void {
    this.events.push(event);
    const status = STATUS_BY_EVENT[event.event_type];
    this.update({ lastEvent: event, ...(status ? { status } : {}) });
    if (isTerminalEventType(event.event_type)) this.stream = undefined;
  }

  private update(patch: Partial<RunView>): void {
    this.next = { ...this.next, ...patch };
    if (this.scheduled) return;
    this.scheduled = true;
    nextFrame(() => this.publish());
  }

  private publish(): void {
    this.scheduled = false;
    const events = this.events.length === this.snapshot.events.length && this.events[0] === this.snapshot.events[0] ? this.snapshot.events : this.events.slice();
    this.snapshot = { ...this.snapshot, ...this.next, events };
    this.next = {};
    for (const listener of this.listeners) listener();
  }
}

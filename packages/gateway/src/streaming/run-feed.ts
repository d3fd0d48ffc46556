import type { EngineHooks, RunRecord } from '@unfold/engine';
import type { RunStatus, RunUpdatedFrame } from '@unfold/protocol';

type Listener = (frame: RunUpdatedFrame) => void;

/**
 * Runs being created and changing status, for `watch_runs` sockets (a live runs list).
 * Fed by the run service (created) and the engine's hooks (started, finished).
 */
export class RunFeed implements EngineHooks {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  created(run: RunRecord): void {
    this.publish(run, 'queued');
  }

  runStarted(run: RunRecord): void {
    this.publish(run, 'running');
  }

  runFinished(run: RunRecord, status: 'completed' | 'failed' | 'cancelled'): void {
    this.publish(run, status);
  }

  runEndedBeforeStart(run: RunRecord, status: 'failed' | 'cancelled'): void {
    this.publish(run, status);
  }

  private publish(run: RunRecord, status: RunStatus): void {
    if (this.listeners.size === 0) return;
    const frame: RunUpdatedFrame = { event_type: 'run_updated', run_id: run.run_id, pipeline: run.pipeline, status, created_at: run.created_at };
    for (const listener of this.listeners) listener(frame);
  }
}

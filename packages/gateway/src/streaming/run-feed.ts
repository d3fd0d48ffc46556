import { publicRunId, type EngineHooks, type RunRecord } from '@unfold/engine';
import type { RunStatus, RunUpdatedFrame } from '@unfold/protocol';

type Listener = (frame: RunUpdatedFrame) => void;
interface Watcher {
  tenant: string;
  listener: Listener;
}

/**
 * Runs being created and changing status, for `watch_runs` sockets (a live runs list).
 * Fed by the run service (created) and the engine's hooks (started, finished).
 */
export class RunFeed implements EngineHooks {
  private readonly watchers = new Set<Watcher>();

  /** The tenant's runs only: a watcher never hears of another tenant's. */
  subscribe(tenant: string, listener: Listener): () => void {
    const watcher = { tenant, listener };
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
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
    if (this.watchers.size === 0) return;
    const frame: RunUpdatedFrame = { event_type: 'run_updated', run_id: publicRunId(run.run_id), pipeline: run.pipeline, status, created_at: run.created_at };
    for (const { tenant, listener } of this.watchers) if (tenant === run.tenant) listener(frame);
  }
}

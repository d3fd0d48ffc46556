import { UnfoldError, type RunStatus } from '@unfold/protocol';
import type { EngineHooks } from './engine-hooks.js';
import type { AnyPipeline } from './pipeline.js';
import type { PipelineRegistry } from './pipeline-registry.js';
import { executeRun, type RunOutcome } from './run-executor.js';
import { RunEmitter } from './run-emitter.js';
import { buildEvent } from './store/store-rules.js';
import type { RunRecord, Store } from './store/store.js';

/** How runs end when this server shuts down: failed with a code of its own, not cancelled. */
const SHUTDOWN = { code: 'server_shutdown', message: 'the server shut down before the run finished; start it again once the server is back' } as const;
const SHUTTING_DOWN = 'the server is shutting down; retry once it is back';

export interface LocalRunnerOptions {
  store: Store;
  registry: PipelineRegistry;
  /** Runs executing at once; the rest wait in order. */
  concurrency: number;
  hooks?: EngineHooks;
}

/**
 * Executes runs in this process with a concurrency limit. Runs outlive the connections
 * that watch them: only `cancel` stops one.
 */
export class LocalRunner {
  private readonly queue: RunRecord[] = [];
  private readonly active = new Map<string, { controller: AbortController; done: Promise<RunOutcome> }>();
  /** Creations admitted before `close` whose record is still being written: close waits for them. */
  private readonly admissions = new Set<Promise<void>>();
  private closing = false;
  private stopped = false;

  constructor(private readonly options: LocalRunnerOptions) {}

  get activeCount(): number {
    return this.active.size;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /**
   * Admits a run before its record is written, refusing with `server_busy` once the runner
   * is closing, so a refused request leaves nothing behind (a retry after the restart can
   * reuse its run id). Call the returned release once the run is submitted or given up:
   * `close` waits for admitted runs and drains them like any other.
   */
  admit(): () => void {
    if (this.closing) throw new UnfoldError('server_busy', SHUTTING_DOWN);
    let release = (): void => undefined;
    const admission = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.admissions.add(admission);
    return () => {
      this.admissions.delete(admission);
      release();
    };
  }

  submit(run: RunRecord): void {
    if (this.stopped) throw new UnfoldError('server_busy', SHUTTING_DOWN);
    this.queue.push(run);
    this.pump();
  }

  /**
   * Cancels a queued or running run of this process. Returns false when this runner does
   * not hold the run (finished, or unknown).
   */
  async cancel(runId: string, reason = 'cancelled by request'): Promise<boolean> {
    const running = this.active.get(runId);
    if (running) {
      running.controller.abort(new UnfoldError('cancelled', reason));
      await running.done;
      return true;
    }
    const index = this.queue.findIndex((run) => run.run_id === runId);
    if (index < 0) return false;
    const [run] = this.queue.splice(index, 1);
    if (run) await this.endUnstarted(run, 'cancelled', { code: 'cancelled', message: reason });
    return true;
  }

  /**
   * Ends runs a stopped process left queued or running: each gets its one terminal event,
   * so no run is left open forever. A run whose final status was written but whose
   * terminal event was not (the process stopped between the two) gets the event its
   * record describes.
   */
  async recoverInterrupted(): Promise<number> {
    const { runs } = this.options.store;
    const unfinished = await runs.unfinished();
    const interrupted = { code: 'run_interrupted', message: 'the server stopped while the run was in progress' };
    for (const run of unfinished) {
      if (run.started_at) await this.endInterrupted(run, run.started_at, interrupted);
      else await this.endUnstarted(run, 'failed', interrupted);
    }
    const unterminated = await runs.unterminated();
    for (const run of unterminated) await this.appendTerminal(run, terminalOf(run));
    return unfinished.length + unterminated.length;
  }

  /**
   * Stops taking runs; queued runs are cancelled, running ones get `graceMs` to finish and
   * are cancelled after that. Resolves once every run has its terminal event.
   */
  async close(graceMs = 0): Promise<void> {
    this.closing = true;
    await Promise.all(this.admissions);
    this.stopped = true;
    const queued = this.queue.splice(0);
    await Promise.all(queued.map((run) => this.endUnstarted(run, 'failed', SHUTDOWN)));
    const running = [...this.active.values()];
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled(running.map((entry) => entry.done)), grace]);
    clearTimeout(timer);
    for (const { controller } of this.active.values()) controller.abort(new UnfoldError(SHUTDOWN.code, SHUTDOWN.message));
    await Promise.allSettled(running.map((entry) => entry.done));
  }

  private pump(): void {
    while (this.active.size < this.options.concurrency && this.queue.length > 0) {
      const run = this.queue.shift();
      if (run) this.start(run);
    }
  }

  private start(run: RunRecord): void {
    const controller = new AbortController();
    const done = this.execute(run, controller.signal).finally(() => {
      this.active.delete(run.run_id);
      this.pump();
    });
    this.active.set(run.run_id, { controller, done });
  }

  /** Settles with the run's outcome, never rejects: a run that cannot execute ends failed. */
  private async execute(run: RunRecord, signal: AbortSignal): Promise<RunOutcome> {
    let pipeline: AnyPipeline;
    let input: unknown;
    try {
      pipeline = this.options.registry.get(run.pipeline);
      input = pipeline.parseInput(run.input);
    } catch (caught) {
      // The service checked both at creation; a pipeline gone or changed since ends the run here.
      const error = UnfoldError.isInstance(caught) ? caught : new UnfoldError('invalid_input', String(caught));
      const terminal = { event_type: 'processing_failed', duration_ms: 0, error: error.message, code: error.code } as const;
      await this.endUnstarted(run, 'failed', { code: error.code, message: error.message }).catch(() => undefined);
      return { status: 'failed', terminal: buildEvent(run.run_id, 0, { pipeline: run.pipeline, ...terminal }) };
    }
    return executeRun({
      store: this.options.store,
      pipeline,
      run,
      input,
      signal,
      envelope: envelopeOf(run),
      ...(this.options.hooks ? { hooks: this.options.hooks } : {}),
    });
  }

  /** A run that never started still gets `processing_started` first and one terminal event last. */
  private async endUnstarted(run: RunRecord, status: Extract<RunStatus, 'failed' | 'cancelled'>, error: { code: string; message: string }): Promise<void> {
    await this.options.store.runs.update(run.run_id, { status, finished_at: new Date().toISOString(), error });
    await this.appendTerminal(
      run,
      status === 'cancelled'
        ? { event_type: 'processing_cancelled', duration_ms: 0, reason: error.message }
        : { event_type: 'processing_failed', duration_ms: 0, error: error.message, code: error.code },
    );
    this.options.hooks?.runEndedBeforeStart?.(run, status);
  }

  /**
   * A run the stopped process had started fails with its real duration: from its start to
   * its last event, the last moment it is known to have been running. (The recovery time
   * would count the downtime as running.) The hooks of this process see it start and fail,
   * so it is counted as a started run that failed, not as one that never ran.
   */
  private async endInterrupted(run: RunRecord, startedAt: string, error: { code: string; message: string }): Promise<void> {
    const { events } = this.options.store;
    const lastSeq = await events.lastSeq(run.run_id);
    const [lastEvent] = lastSeq > 0 ? await events.read(run.run_id, lastSeq - 1, 1) : [];
    const stoppedAt = lastEvent?.timestamp ?? startedAt;
    const duration_ms = Math.max(0, Date.parse(stoppedAt) - Date.parse(startedAt));
    await this.options.store.runs.update(run.run_id, { status: 'failed', finished_at: stoppedAt, error });
    await this.appendTerminal(run, { event_type: 'processing_failed', duration_ms, error: error.message, code: error.code });
    this.options.hooks?.runStarted?.(run);
    this.options.hooks?.runFinished?.(run, 'failed', duration_ms);
  }

  /** Appends a run's terminal event, after `processing_started` when its log is empty. */
  private async appendTerminal(run: RunRecord, terminal: TerminalDraft): Promise<void> {
    const { events } = this.options.store;
    const emitter = new RunEmitter(events, run.run_id, { pipeline: run.pipeline, ...envelopeOf(run) });
    if ((await events.lastSeq(run.run_id)) === 0) emitter.emit({ event_type: 'processing_started' });
    await emitter.finish(terminal);
  }
}

type TerminalDraft = Parameters<RunEmitter['finish']>[0];

/** The terminal event a finished run's record describes. */
function terminalOf(run: RunRecord): TerminalDraft {
  const duration_ms = run.started_at && run.finished_at ? Math.max(0, Date.parse(run.finished_at) - Date.parse(run.started_at)) : 0;
  const error = run.error ?? { code: 'run_interrupted', message: 'the server stopped as the run ended' };
  if (run.status === 'completed') return { event_type: 'processing_completed', duration_ms, result: run.result ?? null };
  if (run.status === 'cancelled') return { event_type: 'processing_cancelled', duration_ms, reason: error.message };
  return { event_type: 'processing_failed', duration_ms, error: error.message, code: error.code };
}

/** Caller ids (the seed's receipt id) travel on every event of the run. */
function envelopeOf(run: RunRecord): { receipt_id?: string; document_id?: string } {
  const ids: { receipt_id?: string; document_id?: string } = {};
  if (typeof run.metadata['receipt_id'] === 'string') ids.receipt_id = run.metadata['receipt_id'];
  if (typeof run.metadata['document_id'] === 'string') ids.document_id = run.metadata['document_id'];
  return ids;
}

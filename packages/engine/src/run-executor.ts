import { UnfoldError, type CustomEventType, type EventDraft, type EventPayload, type TerminalEventType, type UnfoldEvent } from '@unfold/protocol';
import { abortReason, raceAbort, sleep, withDeadline } from './abortable.js';
import { isParallelStep, type Pipeline } from './pipeline.js';
import type { EngineHooks } from './engine-hooks.js';
import { checkedEventDraft } from './event-contract.js';
import { RunEmitter, type EnvelopeFields } from './run-emitter.js';
import { endSpan, startRunSpan, startToolSpan, type SpanHandle } from './run-tracing.js';
import { buildEvent } from './store/store-rules.js';
import type { RunRecord, Store } from './store/store.js';
import type { ResultEventType, RetryPolicy, Tool, ToolContext } from './tool.js';

export interface ExecuteRunOptions<Input> {
  store: Store;
  pipeline: Pipeline<Input>;
  run: RunRecord;
  /** The parsed input (`pipeline.parseInput` of the stored input). */
  input: Input;
  /** Aborting it cancels the run. */
  signal: AbortSignal;
  envelope?: Partial<EnvelopeFields>;
  hooks?: EngineHooks;
  /** Delay source for retries; tests make it instant. */
  retryDelay?: (attempt: number, policy: RetryPolicy) => number;
}

export interface RunOutcome {
  status: 'completed' | 'failed' | 'cancelled';
  terminal: UnfoldEvent;
}

/** A required tool gave up: the run fails with the tool's error. */
class ToolGaveUp extends Error {
  constructor(
    readonly toolName: string,
    readonly error: UnfoldError,
  ) {
    super(error.message);
  }
}

export function defaultRetryDelay(attempt: number, policy: RetryPolicy): number {
  const base = policy.initialDelayMs * 2 ** (attempt - 1);
  const capped = Math.min(base, policy.maxDelayMs ?? 30_000);
  // Full jitter keeps retries of many runs from hitting an upstream in lockstep.
  return Math.round(capped / 2 + (Math.random() * capped) / 2);
}

function toUnfoldError(error: unknown): UnfoldError {
  if (UnfoldError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  // Stryker disable next-line ObjectLiteral: the cause is for a debugger; no event, record or log line carries it
  return new UnfoldError('tool_failed', message, { cause: error });
}

/**
 * Runs one pipeline for one run: the engine, not the tools, emits every lifecycle and
 * tool event, and exactly one terminal event ends the run as its last event.
 */
export async function executeRun<Input>(options: ExecuteRunOptions<Input>): Promise<RunOutcome> {
  const runSpan = startRunSpan(options.run);
  const startedAt = performance.now();
  const outcome = await execute(options, runSpan).catch((error: unknown) => endAfterStoreFailure(options, runSpan, error, performance.now() - startedAt));
  endSpan(runSpan.span, outcome.status, outcome.status === 'failed' ? new Error(String((outcome.terminal as { error?: unknown }).error)) : undefined);
  return outcome;
}

async function execute<Input>(options: ExecuteRunOptions<Input>, runSpan: SpanHandle): Promise<RunOutcome> {
  const { store, pipeline, run, signal, hooks } = options;
  const retryDelay = options.retryDelay ?? defaultRetryDelay;
  const runIds = runSpan.ids;
  // An event the log refused leaves a hole in the run's story: the run stops at once, and
  // execute rejects so endAfterStoreFailure ends it.
  const storeFailed = new AbortController();
  const emitter = new RunEmitter(
    store.events,
    run.run_id,
    { pipeline: pipeline.name, ...options.envelope },
    hooks?.eventEmitted && ((draft, trace) => hooks.eventEmitted?.(run, draft.event_type, trace)),
    (error) => storeFailed.abort(error),
  );
  // A tool that emits what its pipeline does not promise fails the run, even if it catches the error.
  const contractBroken = new AbortController();
  const runSignal = AbortSignal.any([signal, storeFailed.signal, contractBroken.signal]);
  const outputs: Record<string, unknown> = {};
  const startedAt = performance.now();
  const elapsed = (): number => Math.round(performance.now() - startedAt);

  await store.runs.update(run.run_id, { status: 'running', started_at: new Date().toISOString() });
  emitter.emit({ event_type: 'processing_started' }, runIds);
  hooks?.runStarted?.(run, runIds);

  const runTool = async (tool: Tool<Input>, groupSignal: AbortSignal): Promise<void> => {
    const skipReason = tool.skip?.(context(tool, groupSignal, 1, runSpan));
    if (skipReason !== undefined) {
      emitter.emit({ event_type: 'tool_skipped', tool_name: tool.name, status: 'skipped', reason: skipReason }, runIds);
      return;
    }
    const attempts = Math.max(1, tool.retry?.attempts ?? 1);
    for (let attempt = 1; ; attempt++) {
      const toolSpan = startToolSpan(runSpan.context, run, tool.name, attempt);
      const toolIds = toolSpan.ids;
      // Each attempt ends its span and tells the hooks once, however it ends.
      const settle = (outcome: 'completed' | 'failed' | 'retrying', durationMs: number, error?: Error): void => {
        endSpan(toolSpan.span, outcome, error);
        hooks?.toolFinished?.(run, tool.name, outcome, durationMs, toolIds);
      };
      emitter.emit({ event_type: 'tool_started', tool_name: tool.name, status: 'started', attempt }, toolIds);
      const toolStart = performance.now();
      const deadline = tool.timeoutMs === undefined ? undefined : withDeadline(groupSignal, tool.timeoutMs, () => timeoutError(tool));
      const toolSignal = deadline?.signal ?? groupSignal;
      try {
        outputs[tool.name] = await raceAbort(tool.run(context(tool, toolSignal, attempt, toolSpan)), toolSignal);
        const durationMs = performance.now() - toolStart;
        emitter.emit({ event_type: 'tool_completed', tool_name: tool.name, status: 'completed', duration_ms: round(durationMs) }, toolIds);
        settle('completed', durationMs);
        return;
      } catch (caught) {
        if (groupSignal.aborted) {
          endSpan(toolSpan.span, 'cancelled');
          throw abortReason(groupSignal);
        }
        const error = toUnfoldError(caught);
        const durationMs = performance.now() - toolStart;
        const retryable = tool.retry?.retryable ? tool.retry.retryable(caught) : error.transient;
        if (retryable && attempt < attempts && tool.retry) {
          const delayMs = retryDelay(attempt, tool.retry);
          emitter.emit(
            {
              event_type: 'tool_retrying',
              tool_name: tool.name,
              status: 'retrying',
              attempt: attempt + 1,
              delay_ms: delayMs,
              error: error.message,
              code: error.code,
            },
            toolIds,
          );
          settle('retrying', durationMs, error);
          await sleep(delayMs, groupSignal);
          continue;
        }
        const optional = tool.optional === true;
        emitter.emit(
          {
            event_type: 'tool_failed',
            tool_name: tool.name,
            status: 'failed',
            duration_ms: round(durationMs),
            error: error.message,
            code: error.code,
            optional,
          },
          toolIds,
        );
        settle('failed', durationMs, error);
        if (optional) return;
        throw new ToolGaveUp(tool.name, error);
      } finally {
        deadline?.dispose();
      }
    }
  };

  const context = (tool: Tool<Input>, toolSignal: AbortSignal, attempt: number, span: SpanHandle): ToolContext<Input> => {
    let lastProgress: string | undefined;
    const toolIds = span.ids;
    return {
      traceContext: span.context,
      runId: run.run_id,
      pipeline: pipeline.name,
      toolName: tool.name,
      input: options.input,
      outputs,
      signal: toolSignal,
      attempt,
      progress(percent, message) {
        const progress = Math.min(100, Math.max(0, round(percent)));
        const key = `${progress}\u0000${message ?? ''}`;
        if (key === lastProgress || toolSignal.aborted) return;
        lastProgress = key;
        emitter.emit(
          {
            event_type: 'tool_progress',
            tool_name: tool.name,
            status: 'running',
            progress,
            ...(message === undefined ? {} : { message }),
          },
          toolIds,
        );
      },
      emit(type: string, payload: unknown) {
        if (toolSignal.aborted) return;
        let draft: EventDraft;
        try {
          draft = checkedEventDraft(pipeline, type, payload);
        } catch (caught) {
          const error = toUnfoldError(caught);
          emitter.emit({ event_type: 'tool_failed', tool_name: tool.name, status: 'failed', duration_ms: 0, error: error.message, code: error.code, optional: false }, toolIds);
          contractBroken.abort(new ToolGaveUp(tool.name, error));
          throw error;
        }
        emitter.emit(draft, toolIds);
        hooks?.resultEmitted?.(run, draft.event_type as ResultEventType | CustomEventType);
      },
    };
  };

  const finish = async <T extends TerminalEventType>(
    status: RunOutcome['status'],
    type: T,
    payload: EventPayload<T>,
    patch: { result?: unknown; error?: { code: string; message: string } },
  ): Promise<RunOutcome> => {
    // The record is final before the terminal event is visible, so a client that reacts to
    // the event by fetching the run sees its final state.
    await store.runs.update(run.run_id, { status, finished_at: new Date().toISOString(), error: null, ...patch });
    const terminal = await emitter.finish({ event_type: type, ...payload } as Parameters<RunEmitter['finish']>[0], runIds);
    hooks?.runFinished?.(run, status, elapsed(), runIds);
    return { status, terminal };
  };

  try {
    for (const step of pipeline.steps) {
      if (runSignal.aborted) throw abortReason(runSignal);
      if (!isParallelStep(step)) {
        await runTool(step, runSignal);
        continue;
      }
      // A required tool failing stops its siblings: their work can no longer matter.
      const group = new AbortController();
      const groupSignal = AbortSignal.any([runSignal, group.signal]);
      await Promise.all(
        step.parallel.map((tool) =>
          runTool(tool, groupSignal).catch((error: unknown) => {
            group.abort(error);
            throw error;
          }),
        ),
      );
    }
    const result = pipeline.result ? pipeline.result(outputs) : outputs;
    return await finish('completed', 'processing_completed', { duration_ms: elapsed(), result }, { result });
  } catch (caught) {
    if (storeFailed.signal.aborted) throw storeFailed.signal.reason;
    const stopReason = signal.aborted ? abortReason(signal) : undefined;
    // A stop with its own code (the server shutting down) fails the run with that code, so a
    // client can tell it from a cancel someone asked for.
    const stoppedByServer = UnfoldError.isInstance(stopReason) && stopReason.code !== 'cancelled' ? stopReason : undefined;
    if (stopReason && !stoppedByServer) {
      return finish('cancelled', 'processing_cancelled', { duration_ms: elapsed(), reason: stopReason.message }, {
        error: { code: 'cancelled', message: stopReason.message },
      });
    }
    const failure = caught instanceof ToolGaveUp ? caught : undefined;
    const error = stoppedByServer ?? (failure ? failure.error : toUnfoldError(caught));
    return finish(
      'failed',
      'processing_failed',
      {
        duration_ms: elapsed(),
        error: error.message,
        code: error.code,
        ...(failure && !stoppedByServer ? { tool_name: failure.toolName } : {}),
      },
      { error: { code: error.code, message: error.message } },
    );
  }
}

/** How long a run whose writes failed keeps trying to record its end before leaving it to the next start. */
const STORE_RETRY_MS = 120_000;

/**
 * The store refused the run's record or events: the run still ends, failed, and the caller
 * gets an outcome rather than a rejection: one run's lost writes must take down neither
 * the process nor the other runs. Its final record and terminal event are retried while
 * the store stays unwritable (a full disk gets space back), for STORE_RETRY_MS or until
 * the run is cancelled; past that the next start ends the run from its record. A terminal
 * event never stored is returned with seq 0.
 */
async function endAfterStoreFailure<Input>(options: ExecuteRunOptions<Input>, runSpan: SpanHandle, error: unknown, durationMs: number): Promise<RunOutcome> {
  const { store, run, pipeline, signal } = options;
  // Stryker disable next-line ObjectLiteral: the cause is for a debugger; the terminal event and the record carry only code and message
  const cause = UnfoldError.isInstance(error) ? error : new UnfoldError('internal_error', error instanceof Error ? error.message : String(error), { cause: error });
  const failure = { code: cause.code, message: `the run's events could not be stored: ${cause.message}` };
  const draft = { event_type: 'processing_failed', duration_ms: round(durationMs), error: failure.message, code: failure.code } as const;
  const envelope = { pipeline: pipeline.name, ...options.envelope };
  const giveUpAt = Date.now() + STORE_RETRY_MS;
  const retrying = async <T>(write: () => Promise<T>): Promise<T | undefined> => {
    for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 5_000)) {
      try {
        return await write();
      } catch {
        if (signal.aborted || Date.now() + delayMs > giveUpAt) return undefined;
        await sleep(delayMs, signal).catch(() => undefined);
      }
    }
  };
  // The record first, as in a normal finish: a client reacting to the event sees the final state.
  const recorded = await retrying(async () => store.runs.update(run.run_id, { status: 'failed', finished_at: new Date().toISOString(), error: failure }).then(() => true));
  const terminal = recorded
    ? await retrying(async () => {
        const emitter = new RunEmitter(store.events, run.run_id, envelope);
        // A run whose very first event was refused still starts with processing_started.
        if ((await store.events.lastSeq(run.run_id)) === 0) emitter.emit({ event_type: 'processing_started' }, runSpan.ids);
        return emitter.finish(draft, runSpan.ids);
      })
    : undefined;
  options.hooks?.runFinished?.(run, 'failed', Math.round(durationMs), runSpan.ids);
  return { status: 'failed', terminal: terminal ?? buildEvent(run.run_id, 0, { ...envelope, ...draft }) };
}

function timeoutError(tool: Tool<never>): UnfoldError {
  return new UnfoldError('tool_timeout', `${tool.name} took longer than ${tool.timeoutMs ?? 0} ms`, { transient: true });
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

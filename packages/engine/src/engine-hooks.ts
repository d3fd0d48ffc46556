import type { CustomEventType } from '@unfold/protocol';
import type { TraceIds } from './run-tracing.js';
import type { ResultEventType } from './tool.js';
import type { RunRecord } from './store/store.js';

/**
 * Observation points for metrics and logs. Hooks must never throw into the engine;
 * callers wrap them (telemetry never breaks a run). `trace` is the run's or the tool's
 * span when it is sampled, for exemplars and log lines that lead to the trace.
 */
export interface EngineHooks {
  runStarted?(run: RunRecord, trace?: TraceIds): void;
  runFinished?(run: RunRecord, status: 'completed' | 'failed' | 'cancelled', durationMs: number, trace?: TraceIds): void;
  /** A run that ended before it started: cancelled while queued, or left queued by a stopped process. */
  runEndedBeforeStart?(run: RunRecord, status: 'failed' | 'cancelled'): void;
  toolFinished?(run: RunRecord, toolName: string, outcome: 'completed' | 'failed' | 'retrying', durationMs: number, trace?: TraceIds): void;
  resultEmitted?(run: RunRecord, type: ResultEventType | CustomEventType): void;
  /** Every event the run emits, lifecycle and results alike, as it is handed to the log. */
  eventEmitted?(run: RunRecord, eventType: string, trace?: TraceIds): void;
}

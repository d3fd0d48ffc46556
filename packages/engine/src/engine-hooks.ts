import type { ResultEventType } from './tool.js';
import type { RunRecord } from './store/store.js';

/**
 * Observation points for metrics and logs. Hooks must never throw into the engine;
 * callers wrap them (telemetry never breaks a run). They are called with the run's or
 * the tool's span active, so a hook can read the trace ids from the OpenTelemetry context.
 */
export interface EngineHooks {
  runStarted?(run: RunRecord): void;
  runFinished?(run: RunRecord, status: 'completed' | 'failed' | 'cancelled', durationMs: number): void;
  toolFinished?(run: RunRecord, toolName: string, outcome: 'completed' | 'failed' | 'retrying', durationMs: number): void;
  resultEmitted?(run: RunRecord, type: ResultEventType): void;
  /** Every event the run emits, lifecycle and results alike, as it is handed to the log. */
  eventEmitted?(run: RunRecord, eventType: string): void;
}

import type { ResultEventType } from './tool.js';
import type { RunRecord } from './store/store.js';

/**
 * Observation points for metrics and tracing. Hooks must never throw into the engine;
 * callers wrap them (telemetry never breaks a run).
 */
export interface EngineHooks {
  runStarted?(run: RunRecord): void;
  runFinished?(run: RunRecord, status: 'completed' | 'failed' | 'cancelled', durationMs: number): void;
  toolFinished?(run: RunRecord, toolName: string, outcome: 'completed' | 'failed' | 'retrying', durationMs: number): void;
  resultEmitted?(run: RunRecord, type: ResultEventType): void;
}

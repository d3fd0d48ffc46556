import type { ErrorFrame, UnfoldError } from '@unfold/protocol';

/** The frame that tells a streaming client of an error: its code, message, run (by id) and, for a limit, when to retry. */
export function errorFrame(error: UnfoldError, runId?: string): ErrorFrame {
  const retryAfterMs = error.details?.['retry_after_ms'];
  return {
    event_type: 'error',
    code: error.code,
    message: error.message,
    // Stryker disable next-line ConditionalExpression: equivalent, a run_id of undefined is left out of the JSON
    ...(runId !== undefined ? { run_id: runId } : {}),
    ...(typeof retryAfterMs === 'number' ? { retry_after_ms: retryAfterMs } : {}),
  };
}

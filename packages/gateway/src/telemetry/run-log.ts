import { trace } from '@opentelemetry/api';
import type { EngineHooks } from '@unfold/engine';
import type { FastifyBaseLogger } from 'fastify';

/** The active span's ids for a log line, so a line leads to its trace. */
function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** One JSON line per event of interest in a run's life: start, a tool failing or retrying, the end. */
export function runLog(log: FastifyBaseLogger): EngineHooks {
  return {
    runStarted(run) {
      log.debug({ run_id: run.run_id, pipeline: run.pipeline, ...traceFields() }, 'run started');
    },
    toolFinished(run, toolName, outcome, durationMs) {
      if (outcome === 'completed') return;
      log.warn({ run_id: run.run_id, pipeline: run.pipeline, tool: toolName, outcome, duration_ms: Math.round(durationMs), ...traceFields() }, `tool ${outcome}`);
    },
    runFinished(run, status, durationMs) {
      const level = status === 'failed' ? 'warn' : 'info';
      log[level]({ run_id: run.run_id, pipeline: run.pipeline, status, duration_ms: durationMs, ...traceFields() }, 'run finished');
    },
  };
}
